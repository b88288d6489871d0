// misfire.hpp - what a schedule makes when the router comes to it: the
// firings that are due, on time or late. A firing handled within `grace` of
// its time is on time and always makes its notification. Firings later than
// that (the router was down, the store unavailable) follow the schedule's
// policy: `once` makes one notification for all of them (at the last one's
// time), `all` one per firing up to `cap` (the rest are counted as missed),
// `skip` none. Whatever is not made is counted, so the schedule's history says
// how many firings were missed and between which times.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "schedule/spec.hpp"
#include "util/error.hpp"

namespace notify::schedule {

enum class Misfire { once, all, skip };
const char* to_string(Misfire m);
Expected<Misfire> parse_misfire(std::string_view text);

struct Plan {
    std::vector<Millis> make;  // firing times to make a notification for, in order
    std::int64_t late = 0;     // firings handled later than grace
    Millis late_first = 0;     // the first and last of them
    Millis late_last = 0;
    std::int64_t missed = 0;     // late firings not made (merged into one, skipped, past cap)
    Millis missed_first = 0;     // the first of them (never one that is made)
    std::optional<Millis> next;  // the next firing after now; none: the schedule is spent
};

// `due` is the schedule's next firing, at or before `now`. Counting late
// firings stops at `count_limit` (a schedule every second, down for a year,
// is not walked firing by firing): `late` then says at least that many.
Plan plan(const Spec& spec, Millis due, Millis now, Misfire policy, Millis grace, std::size_t cap,
          std::int64_t count_limit = 1'000'000);

}  // namespace notify::schedule
