#include "schedule/firings.hpp"

#include <date/date.h>

#include <algorithm>

namespace notify::schedule {

namespace {

unsigned days_in_month(int year, unsigned month) {
    const date::year_month_day_last last{date::year(year),
                                         date::month_day_last{date::month(month)}};
    return static_cast<unsigned>(last.day());
}

void next_day(LocalTime& w) {
    w.weekday = (w.weekday + 1) % 7;
    if (++w.day <= days_in_month(w.year, w.month)) return;
    w.day = 1;
    if (++w.month <= 12) return;
    w.month = 1;
    ++w.year;
}

void next_month(LocalTime& w) {
    // The weekday moves on by the days left in this month.
    const unsigned left = days_in_month(w.year, w.month) - w.day + 1;
    w.weekday = (w.weekday + left) % 7;
    w.day = 1;
    if (++w.month > 12) {
        w.month = 1;
        ++w.year;
    }
}

}  // namespace

std::optional<Millis> next_firing(const Cron& cron, const Zone& zone, Millis after) {
    // Wall times from the minute `after` is in, in order; the first whose
    // instant is later than `after` (one a fall-back repeats may be earlier).
    LocalTime w = zone.local_at(after);
    const int last_year = std::min(w.year + kHorizonYears, kLastYear);
    unsigned from_hour = w.hour, from_minute = w.minute;
    while (w.year <= last_year) {
        if (!cron.months[w.month]) {
            next_month(w);
            from_hour = from_minute = 0;
            continue;
        }
        if (cron.day_fires(w.month, w.day, w.weekday)) {
            for (unsigned h = from_hour; h < 24; ++h) {
                if (!cron.hours[h]) continue;
                for (unsigned m = h == from_hour ? from_minute : 0; m < 60; ++m) {
                    if (!cron.minutes[m]) continue;
                    w.hour = h;
                    w.minute = m;
                    const Millis at = zone.instant_of(w);
                    if (at > after) return at;
                }
            }
        }
        next_day(w);
        from_hour = from_minute = 0;
    }
    return std::nullopt;
}

std::vector<Millis> next_firings(const Cron& cron, const Zone& zone, Millis after,
                                 std::size_t count) {
    std::vector<Millis> out;
    out.reserve(count);
    while (out.size() < count) {
        auto next = next_firing(cron, zone, after);
        if (!next) break;
        out.push_back(*next);
        after = *next;
    }
    return out;
}

}  // namespace notify::schedule
