// posix_tz.hpp - the POSIX TZ rule that ends a version 2+ TZif file (RFC 8536
// section 3.3), which says what a zone does after the last change its file
// lists: "EST5EDT,M3.2.0,M11.1.0" (New York), "IST-1GMT0,M10.5.0,M3.5.0/1"
// (Dublin, whose summer time is its standard), "<+1030>-10:30<+11>-11,..."
// (Lord Howe, half an hour of summer time). The system's zone files list
// changes up to 2037; zone.hpp reads this rule for the years after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace notify::schedule {

// When a change happens in a year: Jn (day n of 1-365, February 29 never
// counted), n (day n of 0-365) or Mm.w.d (weekday d of week w of month m, week
// 5 the last), at `time` seconds after that local midnight (negative, or past
// 24 hours, as RFC 8536 allows).
struct PosixRule {
    enum class Kind { julian, day_of_year, month_week_day };
    Kind kind = Kind::month_week_day;
    int day = 0;
    int month = 0, week = 0, weekday = 0;
    long time = 7200;
};

struct PosixTz {
    long std_offset = 0;  // seconds east of UTC (the text's sign is the other way)
    bool has_dst = false;
    long dst_offset = 0;
    PosixRule start, end;  // into and out of daylight saving time

    // The offset at `t`, seconds since the epoch.
    long offset_at(std::int64_t t) const;
    // The instants of year `year`'s changes into and out of daylight saving time.
    std::pair<std::int64_t, std::int64_t> changes(int year) const;
};

std::optional<PosixTz> parse_posix_tz(std::string_view text);
// The rule that ends the zone file at `path`, when it has one.
std::optional<PosixTz> read_tzif_rule(const std::string& path);

}  // namespace notify::schedule
