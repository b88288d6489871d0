// repeated_failure.hpp - a failure that may happen hundreds of times a second,
// told in a few log lines: the first time at once, then at most once per period
// with how often it happened ("store write failed (x200 in the last 10s): disk
// full"), at once when its reason changes, and once when it ends.
//
// due() is the same count for a caller that writes its own key=value line
// (refused connections, accept() failing while file descriptors run out):
// "log at most once a period, with a count", so the log says how often without
// growing with it.
//
// It decides what to log and the caller logs it, at the level it chooses. It
// counts only: a caller that retries in a loop must still back off. One thread.
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
    // For due() alone, where the caller writes the line.
    explicit RepeatedFailure(Millis period) : RepeatedFailure(std::string(), period) {}

    // One more failure; the line to log, when one is due.
    std::optional<std::string> failed(std::string_view reason, Millis now);
    // The action worked; the line to log when it had been failing.
    std::optional<std::string> recovered(Millis now);
    bool failing() const { return total_ > 0; }

    // One more event; when a line is due now, how many happened since the last
    // one (this one included), else 0.
    long due(Millis now);

  private:
    std::string what_;
    Millis period_;
    std::string reason_;           // the reason last logged
    std::optional<Millis> since_;  // when the last line was due
    long pending_ = 0;             // events since that line
    long total_ = 0;               // failures since the action last worked
    Millis first_ = 0;             // when the first of them happened
};

}  // namespace notify::util
