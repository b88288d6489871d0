#include "calendar/calendar.hpp"

#include "calendar/window.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace notify::calendar {

namespace {

void sort_by_date(std::vector<Override>& overrides) {
    std::stable_sort(overrides.begin(), overrides.end(),
                     [](const Override& a, const Override& b) { return a.date < b.date; });
}

}  // namespace

const char* to_string(DayType type) {
    switch (type) {
        case DayType::workday:
            return "workday";
        case DayType::adjusted_workday:
            return "adjusted workday";
        case DayType::weekend:
            return "weekend";
        case DayType::holiday:
            return "holiday";
    }
    return "workday";
}

Calendar::Calendar(schedule::Zone zone, const Config::Calendar& settings,
                   std::vector<Override> overrides)
    : zone_(std::move(zone)),
      workdays_(settings.workdays),
      hours_(settings.hours),
      overrides_(std::move(overrides)) {
    sort_by_date(overrides_);
}

Expected<Calendar> Calendar::make(const Config::Calendar& settings,
                                  std::vector<Override> overrides) {
    auto zone = settings.timezone.empty() ? Expected<schedule::Zone>(schedule::Zone::local())
                                          : schedule::Zone::named(settings.timezone);
    if (!zone)
        return make_error(ErrorKind::invalid, "invalid_config",
                          "'calendar.timezone': " + zone.error().message);
    return Calendar(std::move(*zone), settings, std::move(overrides));
}

Expected<Calendar> Calendar::load(const Config::Calendar& settings) {
    std::vector<Override> overrides;
    if (!settings.file.empty()) {
        auto read = load_overrides(settings.file);
        if (!read) return read.error();
        overrides = std::move(*read);
    }
    return make(settings, std::move(overrides));
}

Date Calendar::date_at(Millis t) const {
    const schedule::LocalTime wall = zone_.local_at(t);
    return Date{wall.year, wall.month, wall.day};
}

const Override* Calendar::override_of(const Date& date) const {
    auto it = std::lower_bound(overrides_.begin(), overrides_.end(), date,
                               [](const Override& o, const Date& d) { return o.date < d; });
    return it != overrides_.end() && it->date == date ? &*it : nullptr;
}

std::pair<Millis, Millis> Calendar::hours_of(const Date& date) const {
    return window_on(zone_, date, hours_);
}

bool Calendar::working_day(const Date& date) const {
    if (const Override* o = override_of(date)) return o->kind == OverrideKind::workday;
    return (workdays_ >> weekday_of(date)) & 1u;
}

CalendarDay Calendar::day(const Date& date) const {
    CalendarDay day;
    day.date = date;
    day.weekday = weekday_of(date);
    const bool by_weekday = (workdays_ >> day.weekday) & 1u;
    if (const Override* o = override_of(date)) {
        day.name = o->name;
        day.type = o->kind == OverrideKind::holiday
                       ? DayType::holiday
                       : (by_weekday ? DayType::workday : DayType::adjusted_workday);
    } else {
        day.type = by_weekday ? DayType::workday : DayType::weekend;
    }
    if (day.working()) std::tie(day.start, day.end) = hours_of(date);
    return day;
}

bool Calendar::working_hours(Millis t) const {
    const Date date = date_at(t);
    if (!working_day(date)) return false;
    const auto [start, end] = hours_of(date);
    return start <= t && t < end;
}

Millis Calendar::working_hours_end(Millis t) const {
    const Date date = date_at(t);
    if (!working_day(date)) return t;
    auto [start, end] = hours_of(date);
    if (t < start || t >= end) return t;
    // Hours to 24:00 go on into the next day's from 00:00, when that is a
    // working day too: the end is where they stop (within a year).
    std::int64_t number = day_number(date);
    for (int days = 0; days < 366 && hours_.start == 0 && hours_.end == util::kSecondsPerDay;
         ++days) {
        const Date next = date_of(++number);
        if (next.year > schedule::kLastYear || !working_day(next)) break;
        const auto [next_start, next_end] = hours_of(next);
        if (next_start != end) break;
        end = next_end;
    }
    return end;
}

Millis Calendar::next_working_start(Millis t) const {
    if (working_hours(t)) return t;
    // Each week has a working day by the weekday rule unless the file takes it
    // away, one listed day at a time: past this many days there is none.
    const std::int64_t today = day_number(date_at(t));
    const std::int64_t last = today + 7 * (static_cast<std::int64_t>(overrides_.size()) + 2);
    for (std::int64_t number = today; number <= last; ++number) {
        const Date date = date_of(number);
        if (date.year > schedule::kLastYear) break;
        if (!working_day(date)) continue;
        const auto [start, end] = hours_of(date);
        if (start < end && start > t) return start;
    }
    return kNever;
}

}  // namespace notify::calendar
