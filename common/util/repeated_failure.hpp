// repeated_failure.hpp - a failure that may happen hundreds of times a second,
// told in a few log lines: the first time at once, then at most once per period
// with how often it happened ("store write failed (x200 in the last 10s): disk
// full"), at once when its reason changes, and once when it ends.
//
// It decides what to log and the caller logs it, at the level it chooses. It
// counts only: a caller that retries in a loop must still back off.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/time.hpp"

namespace notify::util {

class RepeatedFailure {
  public:
    // `what` names the failing action: "store write failed".
    explicit RepeatedFailure(std::string what, Millis period = 10'000);

    // One more failure; the line to log, when one is due.
    std::optional<std::string> failed(std::string_view reason, Millis now);
    // The action worked; the line to log when it had been failing.
    std::optional<std::string> recovered(Millis now);
    bool failing() const { return total_ > 0; }

  private:
    std::string what_;
    Millis period_;
    std::string reason_;  // the reason last logged
    Millis since_ = 0;    // when the last line was logged
    long unlogged_ = 0;   // failures since that line
    long total_ = 0;      // failures since the action last worked
    Millis first_ = 0;    // when the first of them happened
};

}  // namespace notify::util
