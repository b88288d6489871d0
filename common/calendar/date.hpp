// date.hpp - a day of the calendar as people write it (2026-10-01), its
// number of days since 1970-01-01 for arithmetic, and its weekday. No time
// and no zone: which instants a day covers is Calendar's business.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace notify::calendar {

struct Date {
    int year = 1970;
    unsigned month = 1, day = 1;  // 1-12, 1-31
    auto operator<=>(const Date&) const = default;
};

// Days since 1970-01-01 (negative before it).
std::int64_t day_number(const Date& date);
Date date_of(std::int64_t day_number);
// 0 Sunday ... 6 Saturday.
unsigned weekday_of(const Date& date);

// "2026-10-01" (dashes) or "20261001" (iCalendar's DATE), a day that exists
// in a year from schedule::kFirstYear to kLastYear; nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);
std::optional<Date> parse_basic_date(std::string_view text);
// "2026-10-01".
std::string format_date(const Date& date);

}  // namespace notify::calendar
