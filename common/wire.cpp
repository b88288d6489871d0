#include "wire.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/json_parse.hpp"

namespace notify::wire {

using nlohmann::json;

const char* to_string(Outcome o) {
    switch (o) {
        case Outcome::sent:
            return "sent";
        case Outcome::retryable:
            return "retryable";
        case Outcome::permanent:
            return "permanent";
    }
    return "permanent";
}

std::string encode(const Ready& m) {
    return json{
        {"type", "ready"}, {"worker", m.worker}, {"credit", m.credit}, {"channels", m.channels}}
        .dump();
}

std::string encode(const Job& m) {
    json j{{"type", "job"},
           {"delivery_id", m.delivery_id},
           {"notification_id", m.notification_id},
           {"channel", m.channel},
           {"provider", m.provider},
           {"to", m.to},
           {"subject", m.subject},
           {"body", m.body},
           {"priority", to_string(m.priority)},
           {"attempt", m.attempt},
           {"created_at", m.created_at},
           {"expires_at", m.expires_at},
           {"deadline", m.deadline}};
    if (!m.html.empty()) j["html"] = m.html;
    if (!m.data_json.empty()) j["data"] = m.data_json;
    if (!m.category.empty()) j["category"] = m.category;
    if (!m.module.empty()) j["module"] = m.module;
    if (!m.user_id.empty()) j["user_id"] = m.user_id;
    if (!m.payload.empty()) j["payload"] = m.payload;
    if (!m.locale.empty()) j["locale"] = m.locale;
    if (!m.template_name.empty()) j["template"] = m.template_name;
    if (!m.unsubscribe_url.empty()) j["unsubscribe_url"] = m.unsubscribe_url;
    return j.dump();
}

std::string encode(const Result& m) {
    json j{{"type", "result"},
           {"delivery_id", m.delivery_id},
           {"attempt", m.attempt},
           {"outcome", to_string(m.outcome)},
           {"provider", m.provider}};
    if (!m.provider_message_id.empty()) j["provider_message_id"] = m.provider_message_id;
    if (!m.code.empty()) j["code"] = m.code;
    if (!m.message.empty()) j["message"] = m.message;
    if (m.retry_after) j["retry_after"] = m.retry_after;
    if (!m.detail.empty()) j["detail"] = m.detail;
    if (m.provider_fault) j["provider_fault"] = true;
    if (m.address_gone) j["address_gone"] = true;
    if (m.gone_since > 0) j["gone_since"] = m.gone_since;
    if (m.parts > 1) j["parts"] = m.parts;
    if (m.took >= 0) j["took"] = m.took;
    return j.dump();
}

std::string encode_bye(const std::string& worker) {
    return json{{"type", "bye"}, {"worker", worker}}.dump();
}

std::string encode_reconnect() {
    return json{{"type", "reconnect"}}.dump();
}

std::string encode_error(const Error& e) {
    json err{{"code", e.code}, {"message", e.message}, {"kind", to_string(e.kind)}};
    err["field"] = e.field.empty() ? json(nullptr) : json(e.field);
    return json{{"error", std::move(err)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {
std::optional<json> parse(const std::string& frame) {
    json j = util::json_or_discarded(frame);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}
std::string str(const json& j, const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
template <class T>
T num(const json& j, const char* k, T def = 0) {
    auto it = j.find(k);
    return it != j.end() && it->is_number() ? it->get<T>() : def;
}
}  // namespace

std::string message_type(const std::string& frame) {
    auto j = parse(frame);
    return j ? str(*j, "type") : std::string();
}

std::optional<Ready> decode_ready(const std::string& frame) {
    auto j = parse(frame);
    if (!j || str(*j, "type") != "ready") return std::nullopt;
    Ready r;
    r.worker = str(*j, "worker");
    r.credit = num<int>(*j, "credit");
    if (auto it = j->find("channels"); it != j->end() && it->is_array())
        for (const auto& c : *it)
            if (c.is_string()) r.channels.push_back(c.get<std::string>());
    return r;
}

std::optional<Job> decode_job(const std::string& frame) {
    auto j = parse(frame);
    if (!j || str(*j, "type") != "job") return std::nullopt;
    Job m;
    m.delivery_id = str(*j, "delivery_id");
    m.notification_id = str(*j, "notification_id");
    m.channel = str(*j, "channel");
    m.provider = str(*j, "provider");
    m.to = str(*j, "to");
    m.subject = str(*j, "subject");
    m.body = str(*j, "body");
    m.html = str(*j, "html");
    m.data_json = str(*j, "data");
    m.category = str(*j, "category");
    m.module = str(*j, "module");
    m.user_id = str(*j, "user_id");
    m.payload = str(*j, "payload");
    m.locale = str(*j, "locale");
    m.template_name = str(*j, "template");
    m.unsubscribe_url = str(*j, "unsubscribe_url");
    m.priority = parse_priority(str(*j, "priority")).value_or(Priority::medium);
    m.attempt = num<int>(*j, "attempt", 1);
    m.created_at = num<Millis>(*j, "created_at");
    m.expires_at = num<Millis>(*j, "expires_at");
    m.deadline = num<Millis>(*j, "deadline");
    if (m.delivery_id.empty()) return std::nullopt;
    return m;
}

std::optional<Result> decode_result(const std::string& frame) {
    auto j = parse(frame);
    if (!j || str(*j, "type") != "result") return std::nullopt;
    Result r;
    r.delivery_id = str(*j, "delivery_id");
    r.attempt = num<int>(*j, "attempt", 1);
    std::string o = str(*j, "outcome");
    if (o == "sent")
        r.outcome = Outcome::sent;
    else if (o == "retryable")
        r.outcome = Outcome::retryable;
    else if (o == "permanent")
        r.outcome = Outcome::permanent;
    else
        return std::nullopt;
    r.provider = str(*j, "provider");
    r.provider_message_id = str(*j, "provider_message_id");
    r.code = str(*j, "code");
    r.message = str(*j, "message");
    r.retry_after = num<Millis>(*j, "retry_after");
    r.detail = str(*j, "detail");
    if (auto it = j->find("provider_fault"); it != j->end() && it->is_boolean())
        r.provider_fault = it->get<bool>();
    if (auto it = j->find("address_gone"); it != j->end() && it->is_boolean())
        r.address_gone = it->get<bool>();
    r.gone_since = std::max<Millis>(0, num<Millis>(*j, "gone_since"));
    r.parts = std::max(1, num<int>(*j, "parts"));
    r.took = num<Millis>(*j, "took", -1);
    if (r.took < -1) r.took = -1;
    if (r.delivery_id.empty()) return std::nullopt;
    return r;
}

}  // namespace notify::wire
