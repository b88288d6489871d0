// window.hpp - a span of every day's wall-clock time (util::DayWindow) made
// instants in a zone: the one that begins on a date, and the one an instant
// falls in. Working hours (calendar.hpp) and quiet hours (the router's holds)
// are both such windows. Wall times become instants through the zone with
// each date's rules (schedule::Zone::instant_of): on the night the clocks
// change, 22:00-07:00 still ends at 07:00 on the clock.
#pragma once

#include <utility>

#include "calendar/date.hpp"
#include "schedule/zone.hpp"
#include "util/day_window.hpp"

namespace notify::calendar {

using util::Millis;

// The instant of `second_of_day` (0 to 86400) on `date`; 86400 is the next
// day's midnight.
Millis instant_on(const schedule::Zone& zone, const Date& date, int second_of_day);
// [start, end) of the window that begins on `date`; it ends on the next day
// when it runs across midnight. Empty (end == start) when a change of the
// clocks skips it.
std::pair<Millis, Millis> window_on(const schedule::Zone& zone, const Date& date,
                                    const util::DayWindow& window);
// When the window that `t` falls in ends; `t` itself when it falls in none.
Millis window_end(const schedule::Zone& zone, const util::DayWindow& window, Millis t);

}  // namespace notify::calendar
