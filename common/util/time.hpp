// time.hpp - wall-clock time as milliseconds since the Unix epoch, and the
// textual forms users write: RFC 3339, "now+10m", "YYYY-MM-DD HH:MM" in a zone,
// and durations such as "90s", "10m", "1h30m", "500ms".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::util {

using Millis = std::int64_t;  // milliseconds since 1970-01-01T00:00:00Z

Millis now_ms();
// Monotonic clock in milliseconds, for deadlines and intervals.
Millis steady_ms();

// "2026-11-27T07:17:47.123Z" (milliseconds shown only when not zero).
std::string format_rfc3339(Millis t);

// The local zone's offset from UTC at `t`, in seconds east.
long utc_offset(Millis t);
// `t` to the second in local time `offset` seconds east of UTC, with that
// offset: "2026-12-01T09:00:00+08:00" ("Z" for none).
std::string format_local(Millis t, long offset);

// Parses a duration: a sequence of <number><unit> with units ms, s, m, h, d;
// more than 10^15 ms in all is refused as too large.
Expected<Millis> parse_duration(std::string_view text);
// "1h30m", "45s", "250ms": the shortest exact spelling.
std::string format_duration(Millis d);

// Parses RFC 3339 ("2026-11-27T08:00:00Z", "+08:00" offsets, fractions),
// "now", "now+DUR", "now-DUR", and "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DD"
// (its midnight) in the zone `tz` (an IANA name; empty means the local zone).
Expected<Millis> parse_time(std::string_view text, Millis now, std::string_view tz = {});

// Whether `zone` is an IANA time zone name this host knows ("" and "UTC" are).
Status check_zone(std::string_view zone);
// Makes `zone` the process's local time zone ("" leaves it as it is). Call it
// before any thread starts: the C library's local time is process-wide.
Status use_local_zone(std::string_view zone);

}  // namespace notify::util
