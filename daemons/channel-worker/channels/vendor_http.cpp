// vendor_http.cpp - the vendor API transfer and URL helpers.
#include "channels/vendor_http.hpp"

#include "channels/outcome.hpp"
#include "channels/transfer.hpp"

namespace notify::channels {

namespace {

class VendorTransfer : public CurlTransfer {
  public:
    VendorTransfer(Millis timeout, HttpRequest request, ReplyHandler on_reply,
                   FailureHook on_failure)
        : CurlTransfer(timeout),
          request_(std::move(request)),
          on_reply_(std::move(on_reply)),
          on_failure_(std::move(on_failure)) {
        if (!valid()) return;
        CURL* h = handle();
        curl_easy_setopt(h, CURLOPT_URL, request_.url.c_str());
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        if (request_.http2) {
            curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                             request_.url.rfind("http://", 0) == 0
                                 ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
                                 : CURL_HTTP_VERSION_2TLS);
            curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
        }
        if (!request_.ca_file.empty())
            curl_easy_setopt(h, CURLOPT_CAINFO, request_.ca_file.c_str());
        if (request_.method == "POST") {
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, request_.body.data());
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(request_.body.size()));
        } else {
            curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        }
        add_header("User-Agent: notify/" NOTIFY_VERSION);
        add_header("Expect:");
        for (const auto& line : request_.headers) add_header(line);
        use_headers();
    }

    Started finish(CURLcode result) override {
        if (result != CURLE_OK) {
            Attempt failed = curl_failure(result);
            if (on_failure_) on_failure_(failed);
            return failed;
        }
        HttpReply reply;
        reply.status = response_code();
        reply.body = body();
        reply.retry_after = header_value("Retry-After");
        reply.headers = header_lines();
        return on_reply_(reply);
    }

  private:
    HttpRequest request_;  // the handle points at its url and body
    ReplyHandler on_reply_;
    FailureHook on_failure_;
};

}  // namespace

Started http_call(Millis timeout, HttpRequest request, ReplyHandler on_reply,
                  FailureHook on_failure) {
    auto t = std::make_unique<VendorTransfer>(timeout, std::move(request), std::move(on_reply),
                                              on_failure);
    if (!t->valid()) {
        Attempt failed = Attempt::retryable("curl:init", "cannot create a transfer");
        if (on_failure) on_failure(failed);
        return failed;
    }
    return std::unique_ptr<Transfer>(std::move(t));
}

std::string join_url(std::string_view base, std::string_view path) {
    std::string out(base);
    while (!out.empty() && out.back() == '/') out.pop_back();
    if (!path.empty() && path.front() != '/') out += '/';
    out += path;
    return out;
}

}  // namespace notify::channels
