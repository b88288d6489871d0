// firings.hpp - when a cron expression fires in a time zone: the wall times it
// names, in order, each made an instant by the zone's rules of its date
// (zone.hpp). Wall times a spring-forward skips all fire once, at the end of
// the gap; a wall time a fall-back repeats fires once, at its first
// occurrence. The search spans kHorizonYears, a whole cycle of the Gregorian
// calendar, so an expression parse_cron() takes always finds its next firing
// there (February 29 on a Sunday is 28 to 40 years apart), and it ends with
// the year 9999 (kLastYear): after that there is none.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "schedule/cron.hpp"
#include "schedule/zone.hpp"

namespace notify::schedule {

constexpr int kHorizonYears = 400;

// The first firing strictly after `after`.
std::optional<Millis> next_firing(const Cron& cron, const Zone& zone, Millis after);
// Up to `count` firings after `after`, in order.
std::vector<Millis> next_firings(const Cron& cron, const Zone& zone, Millis after,
                                 std::size_t count);

}  // namespace notify::schedule
