#include "calendar/date.hpp"

#include <date/date.h>

#include <cstdio>

#include "schedule/zone.hpp"

namespace notify::calendar {

namespace {

// Four, two and two digits at the offsets given, as a day that exists.
std::optional<Date> read_digits(std::string_view text, std::size_t month_at, std::size_t day_at) {
    auto number = [&](std::size_t from, std::size_t count) -> std::optional<int> {
        int n = 0;
        for (std::size_t i = from; i < from + count; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            n = n * 10 + (text[i] - '0');
        }
        return n;
    };
    auto year = number(0, 4), month = number(month_at, 2), day = number(day_at, 2);
    if (!year || !month || !day || *year < schedule::kFirstYear || *year > schedule::kLastYear)
        return std::nullopt;
    const date::year_month_day ymd{date::year(*year), date::month(static_cast<unsigned>(*month)),
                                   date::day(static_cast<unsigned>(*day))};
    if (!ymd.ok()) return std::nullopt;
    return Date{*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)};
}

}  // namespace

std::int64_t day_number(const Date& d) {
    const date::sys_days day = date::year(d.year) / date::month(d.month) / date::day(d.day);
    return day.time_since_epoch().count();
}

Date date_of(std::int64_t number) {
    const date::year_month_day ymd{date::sys_days(date::days(number))};
    return Date{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day())};
}

unsigned weekday_of(const Date& d) {
    return date::weekday(date::sys_days(date::days(day_number(d)))).c_encoding();
}

std::optional<Date> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    return read_digits(text, 5, 8);
}

std::optional<Date> parse_basic_date(std::string_view text) {
    if (text.size() != 8) return std::nullopt;
    return read_digits(text, 4, 6);
}

std::string format_date(const Date& d) {
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", d.year, d.month, d.day);
    return text;
}

}  // namespace notify::calendar
