// retry_policy.hpp - what happens after a failed attempt.
//
// Retries back off exponentially from router.retry_min, doubling per attempt up
// to router.retry_max, each delay drawn at random from its upper half (so
// deliveries that failed together do not come back together), and never sooner
// than the provider's Retry-After. Postfix spaces its retries the same way, over
// hours; notifications are worth less after minutes, so the defaults are 5s to
// 10m. A delivery gives up (failed) after router.max_attempts attempts or when
// its next attempt would fall beyond router.max_lifetime after acceptance. A
// failover to another provider of the channel (provider_choice.hpp) is a retry
// without a wait: it counts as an attempt and obeys the same two limits. (A
// delivery's own expires_at is the router's timer, not a retry decision: it
// expires at that moment whatever it is waiting for, unless it is in flight.)
#pragma once

#include <random>
#include <string>

#include "model.hpp"

namespace notify::router {

struct RetryLimits {
    Millis retry_min = 5000;
    Millis retry_max = 600'000;
    int max_attempts = 8;
    Millis max_lifetime = 86'400'000;
};

struct RetryDecision {
    DeliveryState state = DeliveryState::deferred;  // deferred or failed
    Millis next_attempt_at = 0;                     // when deferred
    std::string reason;                             // when failed
};

class RetryPolicy {
  public:
    explicit RetryPolicy(RetryLimits limits, unsigned seed = std::random_device{}());

    // The delay before attempt `attempts + 1`, without Retry-After.
    Millis backoff(int attempts);
    RetryDecision after_failure(int attempts, Millis now, Millis accepted_at, Millis retry_after,
                                const std::string& last_error);
    // A retry at once (a failover): deferred to `now` unless out of attempts or
    // lifetime.
    RetryDecision immediately(int attempts, Millis now, Millis accepted_at,
                              const std::string& last_error) const;

  private:
    RetryLimits limits_;
    std::mt19937_64 rng_;
};

}  // namespace notify::router
