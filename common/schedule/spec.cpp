#include "schedule/spec.hpp"

#include "schedule/firings.hpp"

#include <algorithm>
#include <cctype>
#include "util/log.hpp"
#include "util/time.hpp"

namespace notify::schedule {

namespace {

Error named(Error e, const std::string& name) {
    e.message = name + ": " + e.message;
    e.field = name;
    return e;
}

Error invalid(const std::string& code, const std::string& message, const std::string& name) {
    return named(make_error(ErrorKind::invalid, code, message), name);
}

}  // namespace

std::optional<Millis> Spec::next_after(Millis t) const {
    std::optional<Millis> next;
    switch (kind) {
        case Kind::cron:
            next = next_firing(*cron, *zone, t);
            break;
        case Kind::every: {
            // The first anchor + k * period (k >= 1) past t.
            const Millis k = t < anchor ? 1 : (t - anchor) / period + 1;
            next = anchor + k * period;
            break;
        }
        case Kind::at:
            if (anchor > t) next = anchor;
            break;
    }
    if (next && until > 0 && *next > until) return std::nullopt;
    return next;
}

std::string Spec::describe() const {
    switch (kind) {
        case Kind::cron:
            return "cron " + cron->text + " " + zone->name();
        case Kind::every:
            return "every " + util::format_duration(period);
        default:
            return "at " + util::format_rfc3339(anchor);
    }
}

const SpecNames& spec_flag_names() {
    static const SpecNames names{"--cron", "--every", "--at", "--tz", "--until"};
    return names;
}

const SpecNames& spec_field_names() {
    static const SpecNames names{"cron", "every", "at", "timezone", "until"};
    return names;
}

Expected<Spec> parse_spec(const SpecText& text, Millis now, Millis anchor, const SpecNames& names) {
    const int given = !text.cron.empty() + !text.every.empty() + !text.at.empty();
    if (given != 1)
        return invalid("invalid_schedule",
                       std::string(given ? "only one" : "one") + " of " + names.cron + ", " +
                           names.every + " and " + names.at + " is needed",
                       given ? (!text.cron.empty() ? names.every : names.cron) : names.cron);
    Spec spec;
    auto zone = text.tz.empty() ? Expected<Zone>(Zone::local()) : Zone::named(text.tz);
    if (!zone) return named(zone.error(), names.tz);
    if (!text.cron.empty()) {
        auto cron = parse_cron(text.cron);
        if (!cron) return named(cron.error(), names.cron);
        spec.kind = Spec::Kind::cron;
        spec.cron = std::move(*cron);
        spec.zone = *zone;
    } else if (!text.every.empty()) {
        auto period = util::parse_duration(text.every);
        if (!period) return named(period.error(), names.every);
        if (*period < kMinPeriod)
            return invalid("invalid_schedule",
                           "the period must be at least 1s, not '" + text.every + "'", names.every);
        spec.kind = Spec::Kind::every;
        spec.period = *period;
        spec.anchor = anchor;
    } else {
        auto at = zone->read_time(text.at, now);
        if (!at) return named(at.error(), names.at);
        if (*at <= now)
            return invalid("invalid_schedule",
                           "'" + text.at + "' (" + zone->format(*at) + ") is not in the future",
                           names.at);
        spec.kind = Spec::Kind::at;
        spec.anchor = *at;
    }
    if (!text.until.empty()) {
        auto until = zone->read_time(text.until, now);
        if (!until) return named(until.error(), names.until);
        if (*until <= now)
            return invalid(
                "invalid_schedule",
                "'" + text.until + "' (" + zone->format(*until) + ") is not in the future",
                names.until);
        spec.until = *until;
    }
    if (!spec.next_after(now))
        return invalid("invalid_schedule",
                       "it would never fire: its first firing comes after " + names.until,
                       names.until);
    return spec;
}

Status check_schedule_name(const std::string& name, const std::string& field) {
    constexpr std::size_t kMaxName = 64;
    auto allowed = [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '-';
    };
    if (name.empty()) return invalid("missing_field", "a schedule needs a name", field);
    if (name.size() > kMaxName || !std::isalnum(static_cast<unsigned char>(name[0])) ||
        !std::all_of(name.begin(), name.end(), allowed))
        return invalid("invalid_name",
                       "'" + log::clip(name) +
                           "' is not a schedule name: 1 to 64 of A-Z, a-z, 0-9, '.', '_' and "
                           "'-', starting with a letter or a digit",
                       field);
    return ok();
}

}  // namespace notify::schedule
