#include "wire.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "util/flat_json.hpp"
#include "util/json_parse.hpp"
#include "util/json_writer.hpp"

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
    std::string out;
    util::JsonObject(out)
        .text("type", "ready")
        .text("worker", m.worker)
        .number("credit", m.credit)
        .texts("channels", m.channels)
        .close();
    return out;
}

std::string encode(const Job& m) {
    std::string out;
    out.reserve(320 + m.subject.size() + m.body.size() + m.html.size() + m.data_json.size() +
                m.payload.size());
    util::JsonObject(out)
        .text("type", "job")
        .text("delivery_id", m.delivery_id)
        .text("notification_id", m.notification_id)
        .text("channel", m.channel)
        .text("provider", m.provider)
        .text("to", m.to)
        .text("subject", m.subject)
        .text("body", m.body)
        .text("priority", to_string(m.priority))
        .number("attempt", m.attempt)
        .number("created_at", m.created_at)
        .number("expires_at", m.expires_at)
        .number("deadline", m.deadline)
        .text_if("html", m.html)
        .text_if("data", m.data_json)
        .text_if("category", m.category)
        .text_if("module", m.module)
        .text_if("user_id", m.user_id)
        .text_if("payload", m.payload)
        .text_if("locale", m.locale)
        .text_if("template", m.template_name)
        .text_if("unsubscribe_url", m.unsubscribe_url)
        .close();
    return out;
}

std::string encode(const Result& m) {
    std::string out;
    util::JsonObject o(out);
    o.text("type", "result")
        .text("delivery_id", m.delivery_id)
        .number("attempt", m.attempt)
        .text("outcome", to_string(m.outcome))
        .text("provider", m.provider)
        .text_if("provider_message_id", m.provider_message_id)
        .text_if("code", m.code)
        .text_if("message", m.message)
        .text_if("detail", m.detail);
    if (m.retry_after) o.number("retry_after", m.retry_after);
    if (m.provider_fault) o.boolean("provider_fault", true);
    if (m.address_gone) o.boolean("address_gone", true);
    if (m.gone_since > 0) o.number("gone_since", m.gone_since);
    if (m.parts > 1) o.number("parts", m.parts);
    if (m.took >= 0) o.number("took", m.took);
    o.close();
    return out;
}

std::string encode_bye(const std::string& worker) {
    return json{{"type", "bye"}, {"worker", worker}}.dump();
}

std::string encode_nudge(const std::vector<std::int64_t>& high) {
    json j{{"op", "nudge"}};
    if (!high.empty())
        j["high"] = std::vector<std::int64_t>(
            high.begin(),
            high.begin() + static_cast<std::ptrdiff_t>(std::min(high.size(), kNudgeHighMax)));
    return j.dump();
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

// The fields of a frame, read the same from either form it was parsed into.
std::string str(const json& j, const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
template <class T>
T num(const json& j, const char* k, T def = 0) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number()) return def;
    if (it->is_number_float()) {
        // A fraction is cut off; a number out of the type's range is none of its values.
        const double d = it->get<double>();
        const double bound = std::ldexp(1.0, std::numeric_limits<T>::digits);
        return d > -bound && d < bound ? static_cast<T>(d) : def;
    }
    return it->get<T>();
}
bool flag(const json& j, const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}
std::vector<std::string> strs(const json& j, const char* k) {
    std::vector<std::string> out;
    if (auto it = j.find(k); it != j.end() && it->is_array())
        for (const auto& c : *it)
            if (c.is_string()) out.push_back(c.get<std::string>());
    return out;
}

std::string str(const util::FlatObject& j, const char* k) {
    return j.text(k);
}
template <class T>
T num(const util::FlatObject& j, const char* k, T def = 0) {
    return static_cast<T>(j.integer(k, def));
}
bool flag(const util::FlatObject& j, const char* k) {
    const util::FlatValue* v = j.find(k);
    return v && v->kind == util::FlatValue::Kind::boolean && v->boolean;
}
std::vector<std::string> strs(const util::FlatObject& j, const char* k) {
    const util::FlatValue* v = j.find(k);
    return v && v->kind == util::FlatValue::Kind::texts ? v->texts : std::vector<std::string>();
}

template <class J>
Ready ready_of(const J& j) {
    Ready r;
    r.worker = str(j, "worker");
    r.credit = num<int>(j, "credit");
    r.channels = strs(j, "channels");
    return r;
}

template <class J>
std::optional<Job> job_of(const J& j) {
    Job m;
    m.delivery_id = str(j, "delivery_id");
    m.notification_id = str(j, "notification_id");
    m.channel = str(j, "channel");
    m.provider = str(j, "provider");
    m.to = str(j, "to");
    m.subject = str(j, "subject");
    m.body = str(j, "body");
    m.html = str(j, "html");
    m.data_json = str(j, "data");
    m.category = str(j, "category");
    m.module = str(j, "module");
    m.user_id = str(j, "user_id");
    m.payload = str(j, "payload");
    m.locale = str(j, "locale");
    m.template_name = str(j, "template");
    m.unsubscribe_url = str(j, "unsubscribe_url");
    m.priority = parse_priority(str(j, "priority")).value_or(Priority::medium);
    m.attempt = num<int>(j, "attempt", 1);
    m.created_at = num<Millis>(j, "created_at");
    m.expires_at = num<Millis>(j, "expires_at");
    m.deadline = num<Millis>(j, "deadline");
    if (m.delivery_id.empty()) return std::nullopt;
    return m;
}

template <class J>
std::optional<Result> result_of(const J& j) {
    Result r;
    r.delivery_id = str(j, "delivery_id");
    r.attempt = num<int>(j, "attempt", 1);
    std::string o = str(j, "outcome");
    if (o == "sent")
        r.outcome = Outcome::sent;
    else if (o == "retryable")
        r.outcome = Outcome::retryable;
    else if (o == "permanent")
        r.outcome = Outcome::permanent;
    else
        return std::nullopt;
    r.provider = str(j, "provider");
    r.provider_message_id = str(j, "provider_message_id");
    // Longer than any vendor's, and than the store keeps: no receipt could name it.
    if (r.provider_message_id.size() > kMaxProviderMessageId) r.provider_message_id.clear();
    r.code = str(j, "code");
    r.message = str(j, "message");
    r.retry_after = num<Millis>(j, "retry_after");
    r.detail = str(j, "detail");
    r.provider_fault = flag(j, "provider_fault");
    r.address_gone = flag(j, "address_gone");
    r.gone_since = std::max<Millis>(0, num<Millis>(j, "gone_since"));
    r.parts = std::max(1, num<int>(j, "parts"));
    r.took = num<Millis>(j, "took", -1);
    if (r.took < -1) r.took = -1;
    if (r.delivery_id.empty()) return std::nullopt;
    return r;
}

template <class J>
Frame frame_of(const J& j) {
    Frame f;
    f.type = str(j, "type");
    if (f.type == "ready")
        f.ready = ready_of(j);
    else if (f.type == "job")
        f.job = job_of(j);
    else if (f.type == "result")
        f.result = result_of(j);
    return f;
}

}  // namespace

Frame decode(const std::string& frame) {
    // The daemons write flat objects (encode() above): read as such, without
    // a document. Anything else takes the whole parser.
    if (auto flat = util::read_flat_object(frame)) return frame_of(*flat);
    json j = util::json_or_discarded(frame);
    if (j.is_discarded() || !j.is_object()) return Frame{};
    return frame_of(j);
}

}  // namespace notify::wire
