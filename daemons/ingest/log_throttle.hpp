// log_throttle.hpp - "log at most once a period, with a count": for events that
// can repeat thousands of times a second (refused connections, accept() failing
// while file descriptors run out), so the log says how often without growing
// with it. Loop thread only.
#pragma once

#include <cstdint>

#include "util/time.hpp"

namespace notify::ingest {

class LogThrottle {
  public:
    explicit LogThrottle(util::Millis period = 1000) : period_(period) {}
    // Counts one event. Returns how many happened since the last line (this one
    // included) when a line is due now, else 0.
    std::uint64_t due() {
        ++pending_;
        util::Millis now = util::steady_ms();
        if (last_ != 0 && now - last_ < period_) return 0;
        last_ = now;
        std::uint64_t n = pending_;
        pending_ = 0;
        return n;
    }

  private:
    util::Millis period_;
    util::Millis last_ = 0;
    std::uint64_t pending_ = 0;
};

}  // namespace notify::ingest
