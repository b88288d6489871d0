// outcome.cpp - classification of finished HTTP and SMTP transfers.
#include "channels/outcome.hpp"

#include <nlohmann/json.hpp>

#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::channels {

namespace {

constexpr size_t kReasonBytes = 200;

// Control characters would break a log line or a one-line reason.
std::string one_line(std::string text) {
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return util::trim(text);
}

}  // namespace

Millis parse_retry_after(std::string_view value, Millis now) {
    std::string v = util::trim(value);
    if (v.empty()) return 0;
    bool digits = true;
    for (char c : v) digits = digits && c >= '0' && c <= '9';
    if (digits) {
        if (v.size() > 9) return 0;  // beyond any sensible wait; treat as unparsable
        return static_cast<Millis>(std::stoll(v)) * 1000;
    }
    time_t at = curl_getdate(v.c_str(), nullptr);
    if (at == -1) return 0;
    Millis wait = static_cast<Millis>(at) * 1000 - now;
    return wait > 0 ? wait : 0;
}

std::string reason_from_body(std::string_view body) {
    auto j = util::json_or_discarded(body);
    if (!j.is_discarded() && j.is_object()) {
        auto str = [&](const nlohmann::json& obj, const char* key) -> std::string {
            auto it = obj.find(key);
            return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        if (std::string m = str(j, "message"); !m.empty()) return one_line(util::cut_utf8(m, 1000));
        if (std::string e = str(j, "error"); !e.empty()) return one_line(util::cut_utf8(e, 1000));
        if (auto it = j.find("error"); it != j.end() && it->is_object())
            if (std::string m = str(*it, "message"); !m.empty())
                return one_line(util::cut_utf8(m, 1000));
    }
    return one_line(util::cut_utf8(body, kReasonBytes));
}

Attempt classify_http(long status, std::string_view body, std::string_view retry_after,
                      Millis now) {
    std::string code = std::to_string(status);
    if (status >= 200 && status < 300) {
        std::string id;
        auto j = util::json_or_discarded(body);
        if (!j.is_discarded() && j.is_object())
            if (auto it = j.find("id"); it != j.end() && it->is_string())
                id = it->get<std::string>();
        return Attempt::sent(id, code);
    }
    std::string reason = reason_from_body(body);
    if (reason.empty()) reason = "http status " + code;
    if (status == 408 || status == 425 || status == 429 || (status >= 500 && status < 600))
        return Attempt::retryable(code, reason, parse_retry_after(retry_after, now));
    return Attempt::permanent(code, reason);
}

Attempt curl_failure(CURLcode result) {
    return Attempt::retryable("curl:" + std::to_string(static_cast<int>(result)),
                              curl_easy_strerror(result));
}

Attempt classify_smtp(CURLcode result, long reply_code, const std::string& reply_text,
                      const std::string& message_id) {
    std::string code = reply_code > 0 ? std::to_string(reply_code) : std::string();
    if (result == CURLE_OK) return Attempt::sent(message_id, code);
    std::string reason =
        reply_text.empty() ? std::string(curl_easy_strerror(result)) : one_line(reply_text);
    if (reply_code >= 500 && reply_code < 600) return Attempt::permanent(code, reason);
    if (reply_code >= 400 && reply_code < 500) return Attempt::retryable(code, reason);
    return curl_failure(result);
}

}  // namespace notify::channels
