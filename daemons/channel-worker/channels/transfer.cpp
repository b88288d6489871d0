// transfer.cpp - the easy-handle setup and the response capture shared by
// the curl-based adapters.
#include "channels/transfer.hpp"

#include "util/strings.hpp"

namespace notify::channels {

namespace {
constexpr size_t kMaxBody = 64 * 1024;  // enough for any error reason or id
constexpr size_t kMaxHeaderLines = 200;
}  // namespace

CurlTransfer::CurlTransfer(Millis timeout) : easy_(curl_easy_init()), timeout_(timeout) {
    if (!easy_) return;
    curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout));
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlTransfer::on_header);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
}

CurlTransfer::~CurlTransfer() {
    if (easy_) curl_easy_cleanup(easy_);
    if (headers_) curl_slist_free_all(headers_);
    for (auto* list : kept_) curl_slist_free_all(list);
}

struct curl_slist* CurlTransfer::keep(struct curl_slist* list) {
    if (list) kept_.push_back(list);
    return list;
}

void CurlTransfer::add_header(const std::string& line) {
    if (auto* next = curl_slist_append(headers_, line.c_str())) headers_ = next;
}

void CurlTransfer::use_headers() {
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
}

long CurlTransfer::response_code() const {
    long code = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

std::string CurlTransfer::header_value(std::string_view name) const {
    return header_in(header_lines_, name);
}

std::string header_in(const std::vector<std::string>& lines, std::string_view name) {
    std::string want = util::to_lower(name);
    std::string found;
    for (const auto& line : lines) {
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        if (util::to_lower(util::trim(std::string_view(line).substr(0, colon))) == want)
            found = util::trim(std::string_view(line).substr(colon + 1));
    }
    return found;
}

size_t CurlTransfer::on_body(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<CurlTransfer*>(self);
    size_t len = size * n;
    if (t->body_.size() < kMaxBody)
        t->body_.append(data, std::min(len, kMaxBody - t->body_.size()));
    return len;
}

size_t CurlTransfer::on_header(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<CurlTransfer*>(self);
    size_t len = size * n;
    std::string line = util::trim(std::string_view(data, len));
    // A new HTTP status line (after a 100 Continue) starts a new header block.
    if (util::starts_with(line, "HTTP/")) t->header_lines_.clear();
    if (!line.empty() && t->header_lines_.size() < kMaxHeaderLines)
        t->header_lines_.push_back(std::move(line));
    else if (!line.empty())
        t->header_lines_.back() = std::move(line);
    return len;
}

}  // namespace notify::channels
