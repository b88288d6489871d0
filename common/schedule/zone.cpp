#include "schedule/zone.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "schedule/posix_tz.hpp"
#include "util/log.hpp"

namespace notify::schedule {

namespace {

namespace chrono = std::chrono;
using Minutes = date::local_time<chrono::minutes>;

Millis millis_of(date::sys_seconds t) {
    return chrono::duration_cast<chrono::milliseconds>(t.time_since_epoch()).count();
}

constexpr const char* kZoneDir = "/usr/share/zoneinfo/";  // as date/tz's USE_OS_TZDB reads

LocalTime wall_of(std::int64_t local_seconds) {
    const auto local =
        chrono::floor<chrono::minutes>(date::sys_seconds(chrono::seconds(local_seconds)));
    const auto day = chrono::floor<date::days>(local);
    const date::year_month_day ymd(day);
    const auto minutes = (local - day).count();
    LocalTime w;
    w.year = static_cast<int>(ymd.year());
    w.month = static_cast<unsigned>(ymd.month());
    w.day = static_cast<unsigned>(ymd.day());
    w.hour = static_cast<unsigned>(minutes / 60);
    w.minute = static_cast<unsigned>(minutes % 60);
    w.weekday = date::weekday(day).c_encoding();
    return w;
}

std::int64_t seconds_of(const LocalTime& w) {
    const auto day = date::sys_days(date::year(w.year) / date::month(w.month) / date::day(w.day));
    return std::int64_t{day.time_since_epoch().count()} * 86'400 + w.hour * 3600 + w.minute * 60;
}

}  // namespace

Zone::Zone(const date::time_zone* tz) : tz_(tz) {
    // The last change the file lists, and the rule after it.
    const date::sys_info last = tz->get_info(date::sys_days(date::year(9999) / 1 / 1));
    auto rule = read_tzif_rule(kZoneDir + tz->name());
    if (!rule || !rule->has_dst) return;
    rule_year_ =
        static_cast<int>(date::year_month_day(chrono::floor<date::days>(last.begin)).year()) + 1;
    rule_from_ = millis_of(date::sys_days(date::year(rule_year_) / 1 / 1));
    rule_ = std::make_shared<const PosixTz>(*rule);
}

Expected<Zone> Zone::named(std::string_view name) {
    try {
        return Zone(date::locate_zone(name));
    } catch (const std::exception&) {
        return make_error(ErrorKind::invalid, "unknown_timezone",
                          "'" + log::clip(name) +
                              "' is not a time zone of the tz database (e.g. Asia/Shanghai, "
                              "America/New_York, UTC)");
    }
}

Zone Zone::local() {
    if (const char* tz = std::getenv("TZ"); tz && *tz) {
        auto named_zone = named(tz[0] == ':' ? tz + 1 : tz);
        if (named_zone) return *named_zone;
    }
    try {
        return Zone(date::current_zone());
    } catch (const std::exception&) {
        return Zone(date::locate_zone("UTC"));
    }
}

Expected<Millis> Zone::read_time(std::string_view text, Millis now) const {
    // A wall time: a date, maybe a time, and no zone of its own.
    const bool wall = text.size() >= 10 && text.substr(0, 3) != "now" &&
                      text.substr(10).find_first_of("Zz+-") == std::string_view::npos;
    auto t = util::parse_time(text, now, wall ? "UTC" : "");
    if (!t) return t;
    if (wall) {
        // The wall time's fields, read as if in UTC, made an instant here.
        const Millis within_minute = ((*t % 60'000) + 60'000) % 60'000;
        *t = instant_of(wall_of((*t - within_minute) / 1000)) + within_minute;
    }
    // Outside by more than a day's offsets cannot be read as a local date.
    constexpr Millis kDayMs = 86'400'000, kFrom1900 = -2'208'988'800'000,
                     kTo10000 = 253'402'300'800'000;
    const bool far = *t < kFrom1900 - kDayMs || *t > kTo10000 + kDayMs;
    const int year = far ? 0 : local_at(*t).year;
    if (far || year < kFirstYear || year > kLastYear)
        return make_error(ErrorKind::invalid, "invalid_time",
                          "'" + log::clip(text) + "' is not between the years " +
                              std::to_string(kFirstYear) + " and " + std::to_string(kLastYear));
    return *t;
}

const std::string& Zone::name() const {
    return tz_->name();
}

LocalTime Zone::local_at(Millis t) const {
    const std::int64_t seconds = t >= 0 ? t / 1000 : (t - 999) / 1000;
    return wall_of(seconds + offset_at(t));
}

Millis Zone::instant_of(const LocalTime& w) const {
    if (rule_ && w.year >= rule_year_) {
        const std::int64_t wall = seconds_of(w);
        const std::int64_t as_std = wall - rule_->std_offset, as_dst = wall - rule_->dst_offset;
        const bool std_fits = rule_->offset_at(as_std) == rule_->std_offset;
        const bool dst_fits = rule_->offset_at(as_dst) == rule_->dst_offset;
        if (std_fits && dst_fits) return std::min(as_std, as_dst) * 1000;  // the first
        if (std_fits) return as_std * 1000;
        if (dst_fits) return as_dst * 1000;
        // Skipped: the change between the two readings ends the gap.
        const auto [lo, hi] = std::minmax(as_std, as_dst);
        for (int year = w.year - 1; year <= w.year + 1; ++year) {
            const auto [into, out_of] = rule_->changes(year);
            for (std::int64_t change : {into, out_of})
                if (change > lo && change <= hi) return change * 1000;
        }
        return hi * 1000;
    }
    const Minutes local = Minutes(chrono::minutes(seconds_of(w) / 60));
    const date::local_info info = tz_->get_info(local);
    switch (info.result) {
        case date::local_info::nonexistent:
            return millis_of(info.first.end);  // the first instant after the gap
        default:                               // unique, or ambiguous: the first occurrence
            return millis_of(date::sys_seconds(local.time_since_epoch()) - info.first.offset);
    }
}

long Zone::offset_at(Millis t) const {
    if (by_rule(t)) return rule_->offset_at(t >= 0 ? t / 1000 : (t - 999) / 1000);
    const auto sys = date::sys_time<chrono::milliseconds>(chrono::milliseconds(t));
    return static_cast<long>(tz_->get_info(chrono::floor<chrono::seconds>(sys)).offset.count());
}

std::string Zone::format(Millis t) const {
    std::string text = util::format_local(t, offset_at(t));
    if (!text.empty() && text.back() == 'Z') text.replace(text.size() - 1, 1, "+00:00");
    return text;
}

}  // namespace notify::schedule
