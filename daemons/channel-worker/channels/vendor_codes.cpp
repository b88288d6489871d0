// vendor_codes.cpp - classification of vendors' error codes.
#include "channels/vendor_codes.hpp"

#include <nlohmann/json.hpp>

#include "channels/outcome.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels {

namespace {

constexpr size_t kMessageBytes = 300;

// A JSON integer or string as text ("0", "-1", "310000"); "" for anything else.
std::string scalar_text(const nlohmann::json& v) {
    if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_string()) return v.get<std::string>();
    return {};
}

}  // namespace

CodeClass classify_code(std::span<const VendorCode> table, std::string_view code,
                        CodeClass fallback) {
    for (const auto& c : table)
        if (c.code == code) return c.kind;
    return fallback;
}

Attempt vendor_failure(CodeClass kind, std::string code, std::string message, Millis retry_after) {
    if (kind == CodeClass::permanent)
        return Attempt::permanent(std::move(code), std::move(message));
    if (kind == CodeClass::provider)
        return Attempt::provider_refused(std::move(code), std::move(message));
    return Attempt::retryable(std::move(code), std::move(message), retry_after);
}

Attempt code_failure(std::span<const VendorCode> table, const std::string& code,
                     std::string message, const HttpReply& reply, Millis wait) {
    CodeClass kind = classify_code(table, code, CodeClass::permanent);
    if (kind == CodeClass::permanent || kind == CodeClass::provider)
        return vendor_failure(kind, code, std::move(message));
    Millis asked = parse_retry_after(reply.retry_after, util::now_ms());
    return Attempt::retryable(code, std::move(message), asked > 0 ? asked : wait);
}

std::string vendor_message(std::string_view text) {
    std::string out = util::cut_utf8(text, kMessageBytes);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return util::trim(out);
}

std::string ErrcodeReply::field(std::string_view key) const {
    if (!object) return {};
    auto it = object->find(key);
    return it == object->end() ? std::string() : scalar_text(*it);
}

Millis ErrcodeReply::seconds(std::string_view key, Millis fallback) const {
    if (!object) return fallback;
    auto it = object->find(key);
    if (it == object->end() || !it->is_number_integer() || it->get<long long>() <= 0)
        return fallback;
    return it->get<long long>() * 1000;
}

ErrcodeReply read_errcode_reply(std::string_view body) {
    ErrcodeReply out;
    auto json = util::json_or_discarded(body);
    if (json.is_discarded() || !json.is_object()) return out;
    auto object = std::make_shared<const nlohmann::json>(std::move(json));
    out.object = object;
    if (auto code = object->find("errcode"); code != object->end()) out.code = scalar_text(*code);
    out.valid = !out.code.empty();
    if (auto m = object->find("errmsg"); m != object->end() && m->is_string())
        out.message = vendor_message(m->get<std::string>());
    return out;
}

Attempt without_code(const HttpReply& reply, std::string_view what) {
    if (reply.status < 200 || reply.status >= 300)
        return classify_http(reply.status, reply.body, reply.retry_after, util::now_ms());
    return Attempt::permanent("bad_reply", "the reply has no " + std::string(what) + ": '" +
                                               reason_from_body(reply.body) + "'");
}

}  // namespace notify::channels
