// rate_limiter.hpp - per-provider rate limits, counted over every worker.
//
// A provider with [providers.NAME] rate_limit = "N/PERIOD" (or several, such as
// "5/1s, 100/1m"; else its type's default, see default_rate_limit in
// config.hpp) takes at most N dispatches in any window of PERIOD, for each limit: the limiter keeps
// the times of its last N dispatches (a sliding window log) and a dispatch is allowed while fewer
// than N of them lie within the last PERIOD. The router is the one process that sees every
// dispatch, so the limit holds however many workers run. Times are passed in
// (`now`), so tests need no clock.
//
// The vendor counts when a request reaches it, somewhere between the hand-out
// and the worker's answer. So that a slot freed by the window is not filled
// while the previous request may still be on its way, an answered attempt's
// time moves from its hand-out to its answer (answered()): its slot is free one
// period after the answer. An attempt that stays unanswered for longer than the
// period frees its slot one period after the hand-out. An attempt that sent a
// split text as several messages takes a slot for each from its answer on (the
// router cannot know the parts before the worker has fitted the text, so such
// a burst can exceed the limit by the extra parts of the messages in flight).
#pragma once

#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "config.hpp"

namespace notify::router {

class RateLimiter {
  public:
    RateLimiter() = default;
    // Every configured provider's limit.
    explicit RateLimiter(const Config& config);

    // Sets the limits of `provider` (none, or only count 0: no limit), forgetting
    // its history; a dispatch needs room in every one of them.
    void set_limits(const std::string& provider, const std::vector<FrequencyCap>& limits);
    void set_limit(const std::string& provider, FrequencyCap limit);
    // True when `provider` has a limit.
    bool limited(const std::string& provider) const;
    // True when a dispatch to `provider` at `now` would be allowed.
    bool has_capacity(const std::string& provider, Millis now);
    // Counts a dispatch at `now` when allowed; false (nothing counted) when not.
    bool try_take(const std::string& provider, Millis now);
    // The first moment at or after `now` when `provider` may take a dispatch.
    Millis next_free(const std::string& provider, Millis now);
    // The attempt handed to `provider` at `dispatched_at` was answered at `now`,
    // after `requests` requests to the vendor (a split text makes more than one):
    // each counts from the answer.
    void answered(const std::string& provider, Millis dispatched_at, Millis now, int requests = 1);

  private:
    struct Window {
        FrequencyCap limit;
        std::deque<Millis> times;  // the attempts still inside the window, in time order
    };
    // The provider's windows with dispatches older than their period dropped, or
    // nullptr when it has no limit.
    std::vector<Window>* windows(const std::string& provider, Millis now);

    std::unordered_map<std::string, std::vector<Window>> windows_;
};

}  // namespace notify::router
