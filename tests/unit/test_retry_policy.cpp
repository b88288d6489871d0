#include <catch2/catch.hpp>

#include "retry_policy.hpp"

using namespace notify;
using namespace notify::router;

TEST_CASE("retries back off exponentially with jitter, then give up") {
    RetryLimits limits{1000, 8000, 5, 60'000};
    RetryPolicy policy(limits, 42);
    SECTION("each delay lies in the upper half of its doubling ceiling, capped") {
        for (int round = 0; round < 50; ++round) {
            Millis d1 = policy.backoff(1), d2 = policy.backoff(2), d4 = policy.backoff(4),
                   d9 = policy.backoff(9);
            CHECK((d1 >= 500 && d1 <= 1000));
            CHECK((d2 >= 1000 && d2 <= 2000));
            CHECK((d4 >= 4000 && d4 <= 8000));
            CHECK((d9 >= 4000 && d9 <= 8000));
        }
    }
    SECTION("a retryable failure defers; Retry-After wins when longer") {
        auto d = policy.after_failure(1, 10'000, 0, 0, "503 busy");
        CHECK(d.state == DeliveryState::deferred);
        CHECK(d.next_attempt_at >= 10'500);
        CHECK(d.next_attempt_at <= 11'000);
        auto r = policy.after_failure(1, 10'000, 0, 30'000, "429 slow down");
        CHECK(r.next_attempt_at == 40'000);
    }
    SECTION("out of attempts") {
        auto d = policy.after_failure(5, 10'000, 0, 0, "503 busy");
        CHECK(d.state == DeliveryState::failed);
        CHECK(d.reason == "gave up after 5 attempts: 503 busy");
    }
    SECTION("out of lifetime") {
        auto d = policy.after_failure(2, 59'900, 0, 0, "503 busy");
        CHECK(d.state == DeliveryState::failed);
        CHECK(d.reason.find("503 busy") != std::string::npos);
    }
}
