// schedule_request.cpp - a schedule request checked before it is stored, and
// the notification each firing makes; see schedule_request.hpp.
#include "accept/schedule_request.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "schedule/misfire.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::accept {

using nlohmann::json;

namespace {

const std::vector<std::string> kFields = {"name",  "cron",    "every",  "at",          "timezone",
                                          "until", "misfire", "paused", "notification"};
// What each firing sets in its notification.
const std::vector<std::string> kSetByFiring = {"send_at", "expires_at", "idempotency_key"};
constexpr std::size_t kMaxText = 256;

Error invalid(std::string code, std::string message, std::string field) {
    return make_error(ErrorKind::invalid, std::move(code), std::move(message), std::move(field));
}

Status read_text(const json& body, const std::string& name, std::string& out) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return ok();
    if (!it->is_string()) return invalid("invalid_type", "'" + name + "' must be a string", name);
    out = it->get<std::string>();
    if (out.size() > kMaxText)
        return invalid("too_long",
                       "'" + name + "' is longer than " + std::to_string(kMaxText) + " bytes",
                       name);
    return ok();
}

const char* kind_name(schedule::Spec::Kind k) {
    switch (k) {
        case schedule::Spec::Kind::cron:
            return "cron";
        case schedule::Spec::Kind::every:
            return "every";
        default:
            return "at";
    }
}

}  // namespace

Expected<ScheduleRequest> read_schedule(const json& body, const RequestContext& ctx,
                                        const std::string& path_name) {
    if (!body.is_object())
        return invalid("invalid_request", "a schedule must be a JSON object", std::string());
    for (const auto& [key, _] : body.items())
        if (std::find(kFields.begin(), kFields.end(), key) == kFields.end())
            return invalid(
                "unknown_field",
                "unknown field '" + log::clip(key) + "'" + util::did_you_mean(key, kFields), key);
    std::string name, misfire;
    schedule::SpecText when;
    for (auto [field, out] :
         {std::pair{"name", &name}, std::pair{"cron", &when.cron}, std::pair{"every", &when.every},
          std::pair{"at", &when.at}, std::pair{"timezone", &when.tz},
          std::pair{"until", &when.until}, std::pair{"misfire", &misfire}})
        if (auto st = read_text(body, field, *out); !st) return st.error();
    if (!path_name.empty()) {
        if (!name.empty() && name != path_name)
            return invalid("conflicting_fields",
                           "the body names schedule '" + log::clip(name) + "', the path '" +
                               log::clip(path_name) + "'",
                           "name");
        name = path_name;
    }
    if (auto st = schedule::check_schedule_name(name, "name"); !st) return st.error();

    auto spec = schedule::parse_spec(when, ctx.now, ctx.now, schedule::spec_field_names());
    if (!spec) return spec.error();
    auto policy = misfire.empty() ? Expected<schedule::Misfire>(schedule::Misfire::once)
                                  : schedule::parse_misfire(misfire);
    if (!policy) {
        Error e = policy.error();
        e.field = "misfire";
        return e;
    }
    bool paused = false;
    if (auto it = body.find("paused"); it != body.end() && !it->is_null()) {
        if (!it->is_boolean())
            return invalid("invalid_type", "'paused' must be true or false", "paused");
        paused = it->get<bool>();
    }

    auto item = body.find("notification");
    if (item == body.end() || item->is_null())
        return invalid("missing_field",
                       "'notification' is required: what each firing sends, as POST "
                       "/v1/notifications takes it",
                       "notification");
    if (item->is_object())
        for (const auto& key : kSetByFiring)
            if (item->contains(key))
                return invalid("not_allowed",
                               "'" + key +
                                   "' is set by each firing; a schedule's notification cannot "
                                   "give it (expires_in counts from the firing)",
                               "notification." + key);
    if (auto checked = build_notification(*item, ctx, "notification."); !checked)
        return checked.error();

    ScheduleRequest r;
    r.spec = std::move(*spec);
    store::ScheduleRow& row = r.row;
    row.name = name;
    row.kind = kind_name(r.spec.kind);
    switch (r.spec.kind) {
        case schedule::Spec::Kind::cron:
            row.spec = r.spec.cron->text;
            break;
        case schedule::Spec::Kind::every:
            row.spec = std::to_string(r.spec.period);
            break;
        case schedule::Spec::Kind::at:
            row.spec = std::to_string(r.spec.anchor);
            break;
    }
    // The zone its times are read and shown in (parse_spec has checked it).
    row.timezone =
        when.tz.empty() ? schedule::Zone::local().name() : schedule::Zone::named(when.tz)->name();
    row.anchor = r.spec.anchor;
    row.until = r.spec.until;
    row.misfire = schedule::to_string(*policy);
    row.paused = paused;
    row.notification = item->dump();
    row.api_key_id = ctx.api_key_id;
    row.created_at = row.updated_at = ctx.now;
    row.next_at = r.spec.next_after(ctx.now).value_or(0);
    return r;
}

Expected<schedule::Spec> spec_of(const store::ScheduleRow& row) {
    auto damaged = [&row](const std::string& why) {
        return make_error(ErrorKind::internal, "damaged_schedule",
                          "schedule '" + row.name + "' cannot be read: " + why);
    };
    schedule::Spec spec;
    spec.until = row.until;
    spec.anchor = row.anchor;
    if (row.kind == "cron") {
        auto cron = schedule::parse_cron(row.spec);
        if (!cron) return damaged(cron.error().message);
        auto zone = schedule::Zone::named(row.timezone);
        if (!zone) return damaged(zone.error().message);
        spec.kind = schedule::Spec::Kind::cron;
        spec.cron = std::move(*cron);
        spec.zone = std::move(*zone);
    } else if (row.kind == "every") {
        auto period = util::parse_whole(row.spec, schedule::kMinPeriod, INT64_MAX / 4);
        if (!period) return damaged("its period '" + row.spec + "' is not a number of ms");
        spec.kind = schedule::Spec::Kind::every;
        spec.period = *period;
    } else if (row.kind == "at") {
        spec.kind = schedule::Spec::Kind::at;
    } else {
        return damaged("unknown kind '" + row.kind + "'");
    }
    return spec;
}

Expected<store::Accepted> firing_notification(const store::ScheduleRow& row, Millis at,
                                              const RequestContext& ctx) {
    json item = util::json_or_discarded(row.notification);
    if (!item.is_object())
        return make_error(
            ErrorKind::internal, "damaged_schedule",
            "the stored notification of schedule '" + row.name + "' is not a JSON object");
    if (auto it = item.find("expires_in"); it != item.end() && it->is_string()) {
        auto lifetime = util::parse_duration(it->get<std::string>());
        if (lifetime && *lifetime > 0) {
            const Millis expires = at + *lifetime;
            if (expires <= ctx.now)
                return make_error(ErrorKind::invalid, "expired",
                                  "it would have expired at " + util::format_rfc3339(expires) +
                                      ", before it was handled");
            item.erase("expires_in");
            item["expires_at"] = util::format_rfc3339(expires);
        }
    }
    return build_notification(item, ctx);
}

}  // namespace notify::accept
