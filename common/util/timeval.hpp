// timeval.hpp - a duration in milliseconds as the `timeval` libevent's timers
// and timeouts take.
#pragma once

#include <sys/time.h>

#include "util/time.hpp"

namespace notify::util {

inline timeval to_timeval(Millis ms) {
    return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)};
}

}  // namespace notify::util
