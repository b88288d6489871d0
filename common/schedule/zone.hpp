// zone.hpp - an IANA time zone from the system's tz database
// (/usr/share/zoneinfo, through Howard Hinnant's date/tz), and the instants
// that local wall times are in it, the rules of each date applied (never an
// offset taken once).
//
// A wall time a spring-forward skips is the first instant after the gap (02:30
// on the night New York skips 02:00-03:00 is 03:00 EDT); one a fall-back
// repeats is its first occurrence (01:30 EDT, not 01:30 EST). This is how
// cronie runs jobs at fixed times over a change of offset; schedules rely on
// it for every expression.
//
// The system's zone files list each zone's changes up to 2037 and end with the
// rule for after (posix_tz.hpp); date/tz keeps the last offset from then on,
// so from the year after the last change listed the rule is applied here.
#pragma once

#include <climits>
#include <memory>
#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/time.hpp"

namespace date {
class time_zone;
}

namespace notify::schedule {

using util::Millis;
struct PosixTz;

// Schedules live between these years (the tz database's rules before 1900
// are guesses; RFC 3339 has four digits for the year).
constexpr int kFirstYear = 1900;
constexpr int kLastYear = 9999;

// A wall time: a date and a minute of its day.
struct LocalTime {
    int year = 1970;
    unsigned month = 1, day = 1;  // 1-12, 1-31
    unsigned hour = 0, minute = 0;
    unsigned weekday = 4;  // 0 Sunday; 1970-01-01 was a Thursday
};

class Zone {
  public:
    // "Asia/Shanghai", "UTC", ...; invalid "unknown_timezone" otherwise.
    static Expected<Zone> named(std::string_view name);
    // The zone TZ names (an IANA name, with or without a leading ':'), else the
    // one the machine is set to (/etc/localtime), else UTC.
    static Zone local();

    const std::string& name() const;
    // The wall time at `t`, to the minute (seconds dropped).
    LocalTime local_at(Millis t) const;
    // The instant of a wall time (skipped: the end of the gap; repeated: the first).
    Millis instant_of(const LocalTime& wall) const;
    // The offset from UTC at `t`, in seconds.
    long offset_at(Millis t) const;
    // A time as users write it (util::parse_time): RFC 3339 and now+DUR as
    // such, "YYYY-MM-DD HH:MM[:SS]" and "YYYY-MM-DD" (its midnight) as wall
    // times here, by instant_of()'s rule; invalid outside kFirstYear-kLastYear.
    Expected<Millis> read_time(std::string_view text, Millis now) const;
    // RFC 3339 in the zone, with its offset: "2026-03-08T03:00:00-04:00"
    // ("+00:00", not "Z", for an offset of zero).
    std::string format(Millis t) const;

  private:
    explicit Zone(const date::time_zone* tz);
    bool by_rule(Millis t) const { return rule_ && t >= rule_from_; }

    const date::time_zone* tz_;
    std::shared_ptr<const PosixTz> rule_;  // for the years after the file's last change
    int rule_year_ = INT_MAX;
    Millis rule_from_ = LLONG_MAX;  // January 1 of rule_year_, UTC
};

}  // namespace notify::schedule
