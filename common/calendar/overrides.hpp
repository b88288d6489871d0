// overrides.hpp - the file that [calendar] file names (notify.toml(5)): the
// days that do not follow the weekday rule, holidays and working days moved
// onto a weekend, read from one of two forms.
//
// Plain text, a day or a range of days per line, "#" comments, blank lines:
//
//     2026-10-01..2026-10-07  holiday  National Day
//     2026-10-10              workday  National Day (make-up day)
//
// iCalendar (RFC 5545, a file that begins with BEGIN:VCALENDAR), as calendar
// programs export it: each all-day VEVENT (DTSTART;VALUE=DATE:20261001, an
// exclusive DTEND or a DURATION of days or weeks for more than one day) is a
// holiday named by its SUMMARY, unless it says it is a working day:
// X-NOTIFY-KIND:workday, or WORKDAY among its CATEGORIES (X-NOTIFY-KIND wins,
// and may say holiday). Cancelled events are left out; recurring ones
// (RRULE, RDATE) and events at a time of day are refused.
//
// Bounds: kMaxFileBytes, kMaxDays days in all, kMaxRangeDays per line or
// event, kMaxNameBytes per name (control characters in a name are spaces). A mistake is an error
// naming the file and the line ("holidays.txt:7: '2026-02-30' is not a date"); a day listed twice
// with different kinds names both lines.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/date.hpp"
#include "util/error.hpp"

namespace notify::calendar {

constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr std::size_t kMaxDays = 10'000;
constexpr int kMaxRangeDays = 366;
constexpr std::size_t kMaxNameBytes = 200;

enum class OverrideKind { holiday, workday };

struct Override {
    Date date;
    OverrideKind kind = OverrideKind::holiday;
    std::string name;  // "" when the line or event gives none
    int line = 0;      // where it is listed
};

// The days of the file at `path`, sorted, each once. Not readable: no_input.
Expected<std::vector<Override>> load_overrides(const std::string& path);
// The same from the file's text; `name` is the file in messages.
Expected<std::vector<Override>> read_overrides(std::string_view text, const std::string& name);

}  // namespace notify::calendar
