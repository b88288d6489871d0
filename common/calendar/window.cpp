// window.cpp - see window.hpp.
#include "calendar/window.hpp"

#include <algorithm>

namespace notify::calendar {

Millis instant_on(const schedule::Zone& zone, const Date& date, int second_of_day) {
    const Date day = second_of_day >= util::kSecondsPerDay ? date_of(day_number(date) + 1) : date;
    const int second = second_of_day % util::kSecondsPerDay;
    schedule::LocalTime wall;
    wall.year = day.year;
    wall.month = day.month;
    wall.day = day.day;
    wall.hour = static_cast<unsigned>(second / 3600);
    wall.minute = static_cast<unsigned>(second / 60 % 60);
    return zone.instant_of(wall) + Millis{second % 60} * 1000;
}

std::pair<Millis, Millis> window_on(const schedule::Zone& zone, const Date& date,
                                    const util::DayWindow& window) {
    const Millis start = instant_on(zone, date, window.start);
    const Millis end = window.crosses_midnight() ? instant_on(zone, date_of(day_number(date) + 1),
                                                              window.end % util::kSecondsPerDay)
                                                 : instant_on(zone, date, window.end);
    return {start, std::max(start, end)};
}

Millis window_end(const schedule::Zone& zone, const util::DayWindow& window, Millis t) {
    const schedule::LocalTime wall = zone.local_at(t);
    const std::int64_t today = day_number(Date{wall.year, wall.month, wall.day});
    // A window that runs across midnight may have begun the day before.
    for (std::int64_t day = window.crosses_midnight() ? today - 1 : today; day <= today; ++day) {
        const auto [start, end] = window_on(zone, date_of(day), window);
        if (start <= t && t < end) return end;
    }
    return t;
}

}  // namespace notify::calendar
