#include "retry_policy.hpp"

#include <algorithm>

namespace notify::router {

RetryPolicy::RetryPolicy(RetryLimits limits, unsigned seed) : limits_(limits), rng_(seed) {}

Millis RetryPolicy::backoff(int attempts) {
    Millis ceiling = limits_.retry_min;
    for (int i = 1; i < attempts && ceiling < limits_.retry_max; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, limits_.retry_max);
    std::uniform_int_distribution<Millis> half(ceiling / 2, ceiling);
    return std::max<Millis>(1, half(rng_));
}

RetryDecision RetryPolicy::immediately(int attempts, Millis now, Millis accepted_at,
                                       const std::string& last_error) const {
    RetryDecision d;
    if (attempts >= limits_.max_attempts) {
        d.state = DeliveryState::failed;
        d.reason = "gave up after " + std::to_string(attempts) + " attempts: " + last_error;
    } else if (now > accepted_at + limits_.max_lifetime) {
        d.state = DeliveryState::failed;
        d.reason = "gave up after " + util::format_duration(now - accepted_at) + ": " + last_error;
    } else {
        d.next_attempt_at = now;
    }
    return d;
}

RetryDecision RetryPolicy::after_failure(int attempts, Millis now, Millis accepted_at,
                                         Millis retry_after, const std::string& last_error) {
    RetryDecision d;
    if (attempts >= limits_.max_attempts) {
        d.state = DeliveryState::failed;
        d.reason = "gave up after " + std::to_string(attempts) + " attempts: " + last_error;
        return d;
    }
    Millis next = now + std::max(backoff(attempts), retry_after);
    if (next > accepted_at + limits_.max_lifetime) {
        d.state = DeliveryState::failed;
        d.reason = "gave up after " + util::format_duration(now - accepted_at) + ": " + last_error;
        return d;
    }
    d.next_attempt_at = next;
    return d;
}

}  // namespace notify::router
