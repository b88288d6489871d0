// test_channel_support.hpp - what the vendor adapter tests share: providers
// and adapters made from JSON settings (or a TOML table), the message
// validate() gives, jobs, mock replies with a content type, and the form and
// job helpers of the SMS tests.
#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "channels/adapter.hpp"
#include "channels/message_limits.hpp"
#include "channels/registry.hpp"
#include "config.hpp"
#include "test_vendor_mock.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::test {

inline ProviderConfig provider_of(const std::string& name, const std::string& type,
                                  const nlohmann::json& settings) {
    ProviderConfig p;
    p.name = name;
    p.type = type;
    p.settings_json = settings.dump();
    return p;
}

// Provider `name` of the type its settings name ("type").
inline ProviderConfig provider_of(const std::string& name, const nlohmann::json& settings) {
    return provider_of(name, settings.value("type", ""), settings);
}

// Provider "p" of `type` from the TOML lines of its table.
inline ProviderConfig provider_from_toml(const std::string& type, const std::string& keys) {
    auto c = parse_config("[providers.p]\ntype = \"" + type + "\"\n" + keys, "t.toml");
    REQUIRE(c);
    return *c->provider("p");
}

inline std::unique_ptr<channels::Adapter> adapter_of(const ProviderConfig& p) {
    auto made = channels::make_adapter(p, channels::AdapterOptions{});
    if (!made) FAIL(made.error().message);
    return std::move(*made);
}

inline std::unique_ptr<channels::Adapter> adapter_of(const std::string& name,
                                                     const nlohmann::json& settings) {
    return adapter_of(provider_of(name, settings));
}

inline std::unique_ptr<channels::Adapter> adapter_of(const std::string& name,
                                                     const std::string& type,
                                                     const nlohmann::json& settings) {
    return adapter_of(provider_of(name, type, settings));
}

// The error validate() gives, or "" when the settings are good.
inline std::string settings_error(const ProviderConfig& p) {
    auto st = channels::validate_provider(p);
    return st ? std::string() : st.error().message;
}

inline std::string settings_error(const std::string& name, const std::string& type,
                                  const nlohmann::json& settings) {
    return settings_error(provider_of(name, type, settings));
}

// provider_from_toml()'s settings error, or "ok".
inline std::string toml_problem(const std::string& type, const std::string& keys) {
    std::string message = settings_error(provider_from_toml(type, keys));
    return message.empty() ? "ok" : message;
}

inline std::unique_ptr<channels::Adapter> toml_adapter(const std::string& type,
                                                       const std::string& keys) {
    return adapter_of(provider_from_toml(type, keys));
}

// Checks a settings error: the message starts with the provider and contains `expect`.
inline void check_invalid(const ProviderConfig& p, const std::string& key,
                          const std::string& expect) {
    auto st = channels::validate_provider(p);
    REQUIRE_FALSE(st);
    INFO(st.error().message);
    CHECK(st.error().message.find("provider '" + p.name + "': ") == 0);
    CHECK(st.error().message.find(expect) != std::string::npos);
    CHECK(st.error().field == key);
}

inline wire::Job job_to(const std::string& to, const std::string& subject, const std::string& body,
                        const std::string& notification_id = "01JTEST") {
    wire::Job job;
    job.delivery_id = notification_id + ".1";
    job.notification_id = notification_id;
    job.to = to;
    job.subject = subject;
    job.body = body;
    return job;
}

// A reply with its content type and extra header lines.
inline MockReply reply_with(int status, std::string body, std::string content_type,
                            std::vector<std::string> headers = {}) {
    MockReply r(status, std::move(body));
    r.content_type = std::move(content_type);
    r.headers = std::move(headers);
    return r;
}

// "line 1\nline 2\n..." of at least `bytes` bytes.
inline std::string long_text(size_t bytes) {
    std::string out;
    for (int i = 1; out.size() < bytes; ++i) out += "line " + std::to_string(i) + " of the log\n";
    return out;
}

// A text's length in characters (Unicode code points).
inline size_t chars(const std::string& text) {
    return channels::text_length(text, channels::LengthUnit::characters);
}

// A {"errcode":N,"errmsg":"..."} reply (DingTalk, WeCom, WeChat).
inline MockReply errcode_reply(const std::string& code, const std::string& message) {
    return MockReply{200,
                     nlohmann::json{{"errcode", std::stoll(code)}, {"errmsg", message}}.dump()};
}

inline nlohmann::json body_of(const MockRequest& r) {
    return nlohmann::json::parse(r.body);
}

inline bool near_now(Millis at) {
    return std::llabs(at - util::now_ms()) < 60 * 1000;
}

// RFC 3986 encoding as the vendors' documentation spells it.
inline std::string encode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

inline std::string decode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// The fields of an application/x-www-form-urlencoded body.
inline std::map<std::string, std::string> form(const std::string& body) {
    std::map<std::string, std::string> out;
    for (const auto& pair : util::split(body, '&')) {
        size_t eq = pair.find('=');
        out[decode(pair.substr(0, eq))] =
            eq == std::string::npos ? "" : decode(pair.substr(eq + 1));
    }
    return out;
}

// An SMS of provider "p" from template "login-code" with its data.
inline wire::Job sms_job(const std::string& to, const std::string& body) {
    wire::Job job;
    job.delivery_id = "n1.0";
    job.notification_id = "n1";
    job.channel = "sms";
    job.provider = "p";
    job.to = to;
    job.body = body;
    job.template_name = "login-code";
    job.data_json = R"({"code":"123456","ttl":{"minutes":5}})";
    return job;
}

inline const std::string kChineseBody = "您的验证码是123456，5分钟内有效。";  // 20 characters

}  // namespace notify::test
