// cron.hpp - cron expressions as Vixie cron and cronie read them: five fields
// (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of
// week 0-7 or SUN-SAT, 7 being Sunday too), each a list of numbers, ranges
// (MON-FRI) and steps (*/15, 1-30/5, 5/15 meaning 5-59/15), or one of @yearly
// (@annually), @monthly, @weekly, @daily (@midnight) and @hourly.
//
// A day fires when its month matches and, as in Vixie cron, its day of month
// AND its day of week match when either field begins with '*', or either of
// them does when both are restricted ("0 9 1 * MON": the 1st and every Monday).
// When fields are restricted so that no day ever fires ("0 0 30 2 *") the
// expression is refused. Which instants local times are is zone.hpp's.
#pragma once

#include <bitset>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::schedule {

struct Cron {
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days;      // 1-31
    std::bitset<13> months;    // 1-12
    std::bitset<7> weekdays;   // 0 Sunday - 6 Saturday
    bool any_day = false;      // the day of month field began with '*'
    bool any_weekday = false;  // the day of week field began with '*'
    std::string text;          // as written

    // `weekday` 0 for Sunday.
    bool day_fires(unsigned month, unsigned day, unsigned weekday) const;
};

// Errors are invalid, code "invalid_cron", with the field and what is wrong
// with it in the message: "minute: 60 is out of range 0-59".
Expected<Cron> parse_cron(std::string_view text);

}  // namespace notify::schedule
