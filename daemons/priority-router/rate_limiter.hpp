// rate_limiter.hpp - per-provider rate limits, counted over every worker.
//
// A provider with [providers.NAME] rate_limit = "N/PERIOD" (or its type's
// default, see default_rate_limit in config.hpp) takes at most N dispatches in
// any window of PERIOD: the limiter keeps the times of its last N dispatches (a
// sliding window log) and a dispatch is allowed while fewer than N of them lie
// within the last PERIOD. The router is the one process that sees every
// dispatch, so the limit holds however many workers run. Times are passed in
// (`now`), so tests need no clock.
//
// The vendor counts when a request reaches it, somewhere between the hand-out
// and the worker's answer. So that a slot freed by the window is not filled
// while the previous request may still be on its way, an answered attempt's
// time moves from its hand-out to its answer (answered()): its slot is free one
// period after the answer. An attempt that stays unanswered for longer than the
// period frees its slot one period after the hand-out.
#pragma once

#include <deque>
#include <string>
#include <unordered_map>

#include "config.hpp"

namespace notify::router {

class RateLimiter {
  public:
    RateLimiter() = default;
    // Every configured provider's limit.
    explicit RateLimiter(const Config& config);

    // Sets (count 0: removes) the limit of `provider`, forgetting its history.
    void set_limit(const std::string& provider, FrequencyCap limit);
    // True when `provider` has a limit.
    bool limited(const std::string& provider) const;
    // True when a dispatch to `provider` at `now` would be allowed.
    bool has_capacity(const std::string& provider, Millis now);
    // Counts a dispatch at `now` when allowed; false (nothing counted) when not.
    bool try_take(const std::string& provider, Millis now);
    // The first moment at or after `now` when `provider` may take a dispatch.
    Millis next_free(const std::string& provider, Millis now);
    // The attempt handed to `provider` at `dispatched_at` was answered at `now`.
    void answered(const std::string& provider, Millis dispatched_at, Millis now);

  private:
    struct Window {
        FrequencyCap limit;
        std::deque<Millis> times;  // the attempts still inside the window, in time order
    };
    // The provider's window with dispatches older than `now - period` dropped, or
    // nullptr when it has no limit.
    Window* window(const std::string& provider, Millis now);

    std::unordered_map<std::string, Window> windows_;
};

}  // namespace notify::router
