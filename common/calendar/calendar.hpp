// calendar.hpp - the company calendar ([calendar] in notify.toml(5)): which
// days are working days and when working hours are, in one time zone.
//
// A day listed in the override file (overrides.hpp) is what the file says; any
// other day follows the weekday rule (calendar.workdays). So a Saturday listed
// as a workday is a working day (an adjusted workday) and a Wednesday listed as
// a holiday is not. Working hours (calendar.hours) are wall times of each day
// made instants through the zone with that day's rules (schedule::Zone), never
// with an offset taken once: on a day the clocks change, 09:00-18:00 is still
// 09:00 to 18:00 on the office's clock.
#pragma once

#include <climits>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/date.hpp"
#include "calendar/overrides.hpp"
#include "config.hpp"
#include "schedule/zone.hpp"

namespace notify::calendar {

using util::Millis;

// What sort of day a day is: a working day by the weekday rule or by the
// file (adjusted), or a day off by the weekday rule (weekend) or by the file.
enum class DayType { workday, adjusted_workday, weekend, holiday };

// "workday", "adjusted workday", "weekend", "holiday".
const char* to_string(DayType type);

struct CalendarDay {
    Date date;
    unsigned weekday = 0;  // 0 Sunday
    DayType type = DayType::workday;
    std::string name;  // the override's name, if the file lists the day
    // Working hours as instants, [start, end); both 0 on a day off. They are
    // equal on a working day whose hours a change of the clocks skips.
    Millis start = 0, end = 0;

    bool working() const { return type == DayType::workday || type == DayType::adjusted_workday; }
};

class Calendar {
  public:
    static constexpr Millis kNever = LLONG_MAX;

    // From [calendar]: its zone (this machine's, Zone::local(), when none is
    // named) and its override file, read now.
    static Expected<Calendar> load(const Config::Calendar& settings);
    // The same with overrides already read (tests, and a file read elsewhere).
    static Expected<Calendar> make(const Config::Calendar& settings,
                                   std::vector<Override> overrides);

    const schedule::Zone& zone() const { return zone_; }
    // The day in the calendar's zone at `t`.
    Date date_at(Millis t) const;
    // The day, its type, the override's name and its working hours.
    CalendarDay day(const Date& date) const;

    // An override's kind, else the weekday rule.
    bool working_day(const Date& date) const;
    // Whether `t` falls within the working hours of a working day.
    bool working_hours(Millis t) const;
    // When the working hours that `t` falls in end; `t` itself when it falls
    // outside working hours. Hours of 00:00-24:00 on days that follow each
    // other end where the last of those days ends (looking a year ahead).
    Millis working_hours_end(Millis t) const;
    // When working hours next begin: `t` itself when it falls within them;
    // kNever when none follow (no weekday is a working day and the file
    // lists none ahead, or they would be past the year 9999).
    Millis next_working_start(Millis t) const;

  private:
    Calendar(schedule::Zone zone, const Config::Calendar& settings,
             std::vector<Override> overrides);
    const Override* override_of(const Date& date) const;
    // [start, end) of the date's working hours, whether it is a working day or not.
    std::pair<Millis, Millis> hours_of(const Date& date) const;

    schedule::Zone zone_;
    unsigned workdays_;
    util::DayWindow hours_;
    std::vector<Override> overrides_;  // sorted by date, each once
};

}  // namespace notify::calendar
