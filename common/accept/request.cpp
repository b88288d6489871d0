// request.cpp - validation of a notification request, before anything is stored:
// its fields one by one, its recipients (recipients.cpp), its template, and
// the deliveries or the fan-out it becomes. Reading the body: request_body.cpp.
#include "accept/request.hpp"

#include "accept/templating.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "address.hpp"
#include "store/directory_store.hpp"
#include "template/template.hpp"
#include "util/crypto.hpp"
#include "util/id.hpp"
#include "util/strings.hpp"
#include "vendor_templates.hpp"

namespace notify::accept {

using nlohmann::json;

namespace {

const std::vector<std::string> kFields = {
    "channel",  "to",      "subject",    "body",       "html",     "data",   "locale",
    "priority", "send_at", "expires_at", "expires_in", "category", "module", "idempotency_key",
    "template", "bulk"};

constexpr size_t kMaxShortField = 256;

Error invalid(std::string code, std::string message, std::string field) {
    return make_error(ErrorKind::invalid, std::move(code), std::move(message), std::move(field));
}

// Reads an optional string field; a non-string is an error.
Status read_string(const json& item, const char* name, const std::string& prefix, std::string& out,
                   size_t max_size = 0) {
    auto it = item.find(name);
    if (it == item.end() || it->is_null()) return ok();
    if (!it->is_string())
        return invalid("invalid_type", std::string("'") + name + "' must be a string",
                       prefix + name);
    out = it->get<std::string>();
    if (max_size && out.size() > max_size)
        return invalid(
            "too_long",
            std::string("'") + name + "' is longer than " + std::to_string(max_size) + " bytes",
            prefix + name);
    return ok();
}

Status read_recipients(const json& item, const std::string& prefix, std::vector<std::string>& out) {
    auto it = item.find("to");
    if (it == item.end() || it->is_null()) return ok();
    if (it->is_string()) {
        out.push_back(it->get<std::string>());
        return ok();
    }
    if (!it->is_array())
        return invalid("invalid_type", "'to' must be a string or an array of strings",
                       prefix + "to");
    out.reserve(it->size());
    for (const auto& r : *it) {
        if (!r.is_string())
            return invalid("invalid_type", "'to' must be a string or an array of strings",
                           prefix + "to");
        out.push_back(r.get<std::string>());
    }
    return ok();
}

Status read_time(const json& item, const char* name, const std::string& prefix, Millis now,
                 Millis& out) {
    std::string text;
    auto st = read_string(item, name, prefix, text);
    if (!st) return st;
    if (text.empty()) return ok();
    auto t = util::parse_time(text, now, "UTC");
    if (!t) return invalid("invalid_time", t.error().message, prefix + name);
    out = *t;
    return ok();
}

// The names a "missing variables" error lists ("template 't': missing
// variables: a, user.name"), or none for any other error.
std::vector<std::string> missing_names(const Error& e) {
    static const std::string marker = "missing variables: ";
    if (e.code != "missing_variables") return {};
    auto at = e.message.find(marker);
    if (at == std::string::npos) return {};
    std::vector<std::string> names;
    for (const auto& part : util::split(e.message.substr(at + marker.size()), ','))
        if (auto name = util::trim(part); !name.empty()) names.emplace_back(name);
    return names;
}

bool is_user_name(const std::string& name) {
    return name == "user" || util::starts_with(name, "user.");
}

// Renders the notification's stored content from the request's data alone
// (what raw-address targets receive); each user is rendered again when the
// router builds its job, so names under "user." may stay unfilled here. They
// render as empty text.
Status render_fanout_content(Notification& n, const json& data, const RequestContext& ctx,
                             const std::string& prefix) {
    auto st = ctx.templates->render(n, data, prefix);
    if (st) return st;
    auto names = missing_names(st.error());
    if (names.empty()) return st;
    std::vector<std::string> others;
    for (const auto& name : names)
        if (!is_user_name(name)) others.push_back(name);
    if (!others.empty())
        return make_error(ErrorKind::conflict, "missing_variables",
                          "template '" + n.template_name + "': " + tmpl::missing_message(others),
                          prefix + "data");
    json blank = data;
    if (!blank["user"].is_object()) blank["user"] = json::object();
    for (const auto& name : names) {
        if (name == "user") continue;
        json* at = &blank["user"];
        for (const auto& part : util::split(name.substr(5), '.')) {
            if (!at->is_object()) *at = json::object();
            at = &(*at)[part];
        }
        if (at->is_null()) *at = "";
    }
    return ctx.templates->render(n, blank, prefix);
}

}  // namespace

Expected<store::Accepted> build_notification(const json& item, const RequestContext& ctx,
                                             const std::string& prefix) {
    if (!item.is_object())
        return invalid("invalid_request", "a notification must be a JSON object",
                       prefix.empty() ? std::string() : prefix.substr(0, prefix.size() - 1));
    for (const auto& [key, _] : item.items()) {
        if (std::find(kFields.begin(), kFields.end(), key) == kFields.end())
            return invalid("unknown_field",
                           "unknown field '" + key + "'" + util::did_you_mean(key, kFields),
                           prefix + key);
    }

    const Config& cfg = *ctx.config;
    store::Accepted a;
    Notification& n = a.notification;
    n.created_at = ctx.now;
    n.source = ctx.source;
    n.api_key_id = ctx.api_key_id;

    auto channel_it = item.find("channel");
    if (channel_it == item.end() || channel_it->is_null())
        return invalid(
            "missing_field",
            "'channel' is required (one of: " + util::join(cfg.channel_names(), ", ") + ")",
            prefix + "channel");
    auto st = read_string(item, "channel", prefix, n.channel);
    if (!st) return st.error();
    if (auto known = cfg.check_channel(n.channel, prefix + "channel"); !known) return known.error();

    for (auto [name, out, max] :
         {std::tuple{"subject", &n.subject, size_t{0}}, std::tuple{"body", &n.body, size_t{0}},
          std::tuple{"html", &n.html, size_t{0}}, std::tuple{"locale", &n.locale, kMaxShortField},
          std::tuple{"category", &n.category, kMaxShortField},
          std::tuple{"module", &n.module, kMaxShortField},
          std::tuple{"idempotency_key", &n.idempotency_key, kMaxShortField}}) {
        st = read_string(item, name, prefix, *out, max);
        if (!st) return st.error();
    }

    std::string priority;
    st = read_string(item, "priority", prefix, priority);
    if (!st) return st.error();
    if (!priority.empty()) {
        auto p = parse_priority(priority);
        if (!p)
            return invalid("invalid_priority",
                           "unknown priority '" + priority + "'" +
                               util::did_you_mean(priority, {"high", "medium", "low"}) +
                               " (high, medium or low)",
                           prefix + "priority");
        n.priority = *p;
    }

    if (auto d = item.find("data"); d != item.end() && !d->is_null()) {
        if (!d->is_object())
            return invalid("invalid_type", "'data' must be a JSON object", prefix + "data");
        n.data_json = d->dump();
    }

    if (auto b = item.find("bulk"); b != item.end() && !b->is_null()) {
        if (!b->is_boolean())
            return invalid("invalid_type", "'bulk' must be true or false", prefix + "bulk");
        n.bulk = b->get<bool>();
    }

    st = read_time(item, "send_at", prefix, ctx.now, n.send_at);
    if (!st) return st.error();
    st = read_time(item, "expires_at", prefix, ctx.now, n.expires_at);
    if (!st) return st.error();
    std::string expires_in;
    st = read_string(item, "expires_in", prefix, expires_in);
    if (!st) return st.error();
    if (!expires_in.empty()) {
        if (n.expires_at)
            return invalid("conflicting_fields", "give 'expires_at' or 'expires_in', not both",
                           prefix + "expires_in");
        auto d = util::parse_duration(expires_in);
        if (!d) return invalid("invalid_time", d.error().message, prefix + "expires_in");
        if (*d <= 0)
            return invalid("invalid_time", "'expires_in' must be longer than zero",
                           prefix + "expires_in");
        // From send_at when it is later than now: `--at 09:00 --expires-in 1h`
        // means deliver between 09:00 and 10:00.
        n.expires_at = std::max(n.send_at, ctx.now) + *d;
    }
    if (n.expires_at) {
        if (n.expires_at <= ctx.now)
            return invalid(
                "invalid_time",
                "'expires_at' " + util::format_rfc3339(n.expires_at) + " is not in the future",
                prefix + "expires_at");
        if (n.send_at && n.expires_at <= n.send_at)
            return invalid("invalid_time",
                           "the notification would expire (" + util::format_rfc3339(n.expires_at) +
                               ") before its 'send_at' (" + util::format_rfc3339(n.send_at) + ")",
                           prefix + "expires_at");
    }

    st = read_recipients(item, prefix, n.to);
    if (!st) return st.error();
    if (static_cast<long>(n.to.size()) > cfg.ingest.max_recipients)
        return invalid("too_many_recipients",
                       std::to_string(n.to.size()) + " recipients; at most " +
                           std::to_string(cfg.ingest.max_recipients) +
                           " per notification (ingest.max_recipients)",
                       prefix + "to");
    auto recipients = resolve_recipients(n, cfg, ctx.directory, prefix + "to");
    if (!recipients) return recipients.error();
    const auto [approval, fanout] = decide_fanout(*recipients, cfg);
    if (recipients->total >= cfg.calendar.bulk_min) n.bulk = true;

    st = read_string(item, "template", prefix, n.template_name, kMaxShortField);
    if (!st) return st.error();
    // Providers that send only vendor-approved templates need a mapping for this one.
    st = check_vendor_template(cfg, n.channel, n.template_name, prefix + "template");
    if (!st) return st.error();
    if (!n.template_name.empty()) {
        if (!n.subject.empty() || !n.body.empty() || !n.html.empty())
            return invalid("conflicting_fields",
                           "give a 'template' or 'subject', 'body' and 'html', not both",
                           prefix + "template");
        if (!ctx.templates)
            return make_error(ErrorKind::conflict, "templates_unavailable",
                              "this server renders no templates", prefix + "template");
        auto d = item.find("data");
        static const json no_data = json::object();
        const json& data = d != item.end() && d->is_object() ? *d : no_data;
        if (!fanout) {
            st = ctx.templates->render(n, data, prefix);
        } else {
            if (recipients->first) {
                // Every user is rendered when the router builds its job; the first
                // one shows at the door whether the template fits users at all.
                Notification probe = n;
                json with_user = data;
                with_user["user"] = rendering::user_object(*recipients->first);
                st = ctx.templates->render(probe, with_user, prefix);
                if (!st) return st.error();
            }
            st = render_fanout_content(n, data, ctx, prefix);
        }
        if (!st) return st.error();
    }
    if (n.subject.empty() && n.body.empty() && !(fanout && !n.template_name.empty()))
        return invalid("empty_message", "'subject' and 'body' are both empty", prefix + "body");

    n.id = util::new_ulid(ctx.now);
    if (!n.idempotency_key.empty()) a.request_hash = request_hash(item);
    if (fanout) {
        a.fanout = fanout_for(n, *recipients, approval, ctx.now);
        return a;
    }
    bool scheduled = n.send_at > ctx.now;
    size_t count = n.to.empty() ? 1 : n.to.size();
    a.deliveries.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        Delivery d;
        d.id = delivery_id_for(n.id, i);
        d.notification_id = n.id;
        d.channel = n.channel;
        d.recipient = n.to.empty() ? std::string() : n.to[i];
        d.priority = n.priority;
        d.state = scheduled ? DeliveryState::scheduled : DeliveryState::queued;
        d.created_at = ctx.now;
        d.updated_at = ctx.now;
        d.next_attempt_at = scheduled ? n.send_at : 0;
        d.expires_at = n.expires_at;
        a.deliveries.push_back(std::move(d));
    }
    return a;
}

std::string request_hash(const json& item) {
    if (!item.is_object()) return util::hex(util::sha256(item.dump()));
    json copy = item;
    copy.erase("idempotency_key");
    // nlohmann::json keeps object keys sorted, so dump() is already canonical.
    return util::hex(util::sha256(copy.dump()));
}

}  // namespace notify::accept
