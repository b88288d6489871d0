// day_window.hpp - a span of wall-clock time in every day, written
// "HH:MM[:SS]-HH:MM[:SS]": working hours ("09:00-18:00", calendar.hours) and
// quiet hours ("22:00-07:30", which runs across midnight). Times are seconds
// after midnight; an end of "24:00" is 86400, the day's end.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::util {

constexpr int kSecondsPerDay = 24 * 60 * 60;

struct DayWindow {
    int start = 0;  // seconds after midnight, 0 to 86399
    int end = 0;    // 1 to 86400; at or before start: it ends the next day
    bool crosses_midnight() const { return end <= start; }
    bool operator==(const DayWindow&) const = default;
};

enum class WindowRule {
    within_a_day,    // begins before it ends, "00:00-24:00" at most (working hours)
    across_midnight  // may run past midnight into the next day; never empty (quiet hours)
};

// "09:00-18:00", "9:00:30 - 18:00": each side HH:MM or HH:MM:SS. Invalid
// ("invalid_day_window") with what is wrong, quoting the text.
Expected<DayWindow> parse_day_window(std::string_view text, WindowRule rule);
// "09:00", or "09:00:30" when there are seconds; 86400 is "24:00".
std::string format_clock(int second_of_day);
// "22:00-07:30".
std::string format_day_window(const DayWindow& window);

}  // namespace notify::util
