// render.cpp - stored notifications, deliveries, events and queue rows as JSON.
#include "render.hpp"

#include "one_time_code.hpp"

#include <nlohmann/json.hpp>

#include "util/json_parse.hpp"
#include "util/json_writer.hpp"
#include "util/time.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

void put_if(json& j, const char* name, const std::string& value) {
    if (!value.empty()) j[name] = value;
}

void put_time_if(json& j, const char* name, Millis t) {
    if (t) j[name] = util::format_rfc3339(t);
}

}  // namespace

void append_delivery_brief(std::string& out, const Delivery& d) {
    util::JsonObject(out)
        .text("channel", d.channel)
        .text("id", d.id)
        .text("state", to_string(d.state))
        .text("to", d.recipient)
        .close();
}

json render_delivery(const Delivery& d) {
    json j{{"id", d.id},
           {"channel", d.channel},
           {"to", d.recipient},
           {"state", to_string(d.state)},
           {"attempts", d.attempts},
           {"provider", d.provider},
           {"provider_message_id", d.provider_message_id},
           {"last_error", d.last_error},
           {"created_at", util::format_rfc3339(d.created_at)},
           {"updated_at", util::format_rfc3339(d.updated_at)}};
    put_time_if(j, "next_attempt_at", d.next_attempt_at);
    put_time_if(j, "expires_at", d.expires_at);
    put_if(j, "user_id", d.user_id);
    put_if(j, "locale", d.locale);
    return j;
}

json render_fanout(const store::Fanout& f) {
    json j{{"state", store::to_string(f.state)}, {"total", f.total}, {"expanded", f.expanded}};
    j["decided_by"] = f.decided_by.empty() ? json(nullptr) : json(f.decided_by);
    j["decided_at"] = f.decided_at ? json(util::format_rfc3339(f.decided_at)) : json(nullptr);
    j["reason"] = f.reason.empty() ? json(nullptr) : json(f.reason);
    return j;
}

json render_notification(const store::NotificationView& v, bool with_events) {
    const Notification& n = v.notification;
    json j{{"id", n.id},           {"created_at", util::format_rfc3339(n.created_at)},
           {"channel", n.channel}, {"to", n.to},
           {"subject", n.subject}, {"body", n.body}};
    put_if(j, "html", n.html);
    if (!n.data_json.empty()) {
        // Stored as the JSON text ingest validated; shown as the object again.
        json data = util::json_or_discarded(n.data_json);
        // A one-time code's sealed copy is notify's own, shown to nobody.
        if (data.is_object()) data.erase(kSealedField);
        j["data"] = data.is_discarded() ? json(n.data_json) : data;
    }
    put_if(j, "template", n.template_name);
    put_if(j, "locale", n.locale);
    j["priority"] = to_string(n.priority);
    put_time_if(j, "send_at", n.send_at);
    put_time_if(j, "expires_at", n.expires_at);
    put_if(j, "category", n.category);
    put_if(j, "module", n.module);
    if (n.bulk) j["bulk"] = true;
    put_if(j, "idempotency_key", n.idempotency_key);
    j["source"] = n.source;
    put_if(j, "api_key_id", n.api_key_id);
    // Counted over every delivery when the store counted them (a single
    // notification), else over those listed.
    json states = json::object();
    if (!v.delivery_counts.empty()) {
        for (const auto& [state, count] : v.delivery_counts) states[state] = count;
    } else {
        for (const auto& d : v.deliveries) {
            json& count = states[to_string(d.state)];
            count = count.is_null() ? 1 : count.get<int>() + 1;
        }
    }
    j["states"] = std::move(states);
    json deliveries = json::array();
    for (const auto& d : v.deliveries) deliveries.push_back(render_delivery(d));
    j["deliveries"] = std::move(deliveries);
    if (v.deliveries_total > static_cast<std::int64_t>(v.deliveries.size()))
        j["deliveries_total"] = v.deliveries_total;
    if (v.fanout) j["fanout"] = render_fanout(*v.fanout);
    if (with_events) {
        json events = json::array();
        for (const auto& e : v.events)
            events.push_back(json{{"delivery_id", e.delivery_id},
                                  {"at", util::format_rfc3339(e.at)},
                                  {"type", e.type},
                                  {"detail", e.detail}});
        j["events"] = std::move(events);
    }
    return j;
}

json render_queue(const std::vector<store::QueueRow>& rows, Millis now) {
    json out = json::array();
    for (const auto& r : rows) {
        Millis age = r.oldest && now > r.oldest ? (now - r.oldest) / 1000 : 0;
        out.push_back(json{{"priority", to_string(r.priority)},
                           {"channel", r.channel},
                           {"state", to_string(r.state)},
                           {"count", r.count},
                           {"oldest", util::format_rfc3339(r.oldest)},
                           {"oldest_age_seconds", age}});
    }
    return json{{"queue", std::move(out)}};
}

}  // namespace notify::ingest
