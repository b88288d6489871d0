#include "schedule/zone.hpp"

#include <date/tz.h>

#include <cstdio>

#include "util/log.hpp"

namespace notify::schedule {

namespace {

namespace chrono = std::chrono;
using Minutes = date::local_time<chrono::minutes>;

Millis millis_of(date::sys_seconds t) {
    return chrono::duration_cast<chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

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
    try {
        return Zone(date::current_zone());
    } catch (const std::exception&) {
        return Zone(date::locate_zone("UTC"));
    }
}

const std::string& Zone::name() const {
    return tz_->name();
}

LocalTime Zone::local_at(Millis t) const {
    const auto sys = date::sys_time<chrono::milliseconds>(chrono::milliseconds(t));
    const auto local = chrono::floor<chrono::minutes>(tz_->to_local(sys));
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

Millis Zone::instant_of(const LocalTime& w) const {
    const Minutes local =
        date::local_days(date::year(w.year) / date::month(w.month) / date::day(w.day)) +
        chrono::hours(w.hour) + chrono::minutes(w.minute);
    const date::local_info info = tz_->get_info(local);
    switch (info.result) {
        case date::local_info::nonexistent:
            return millis_of(info.first.end);  // the first instant after the gap
        default:                               // unique, or ambiguous: the first occurrence
            return millis_of(date::sys_seconds(local.time_since_epoch()) - info.first.offset);
    }
}

long Zone::offset_at(Millis t) const {
    const auto sys = date::sys_time<chrono::milliseconds>(chrono::milliseconds(t));
    return static_cast<long>(tz_->get_info(chrono::floor<chrono::seconds>(sys)).offset.count());
}

std::string Zone::format(Millis t) const {
    std::string text = util::format_local(t, offset_at(t));
    if (!text.empty() && text.back() == 'Z') text.replace(text.size() - 1, 1, "+00:00");
    return text;
}

}  // namespace notify::schedule
