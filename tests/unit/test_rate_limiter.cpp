// test_rate_limiter.cpp - sliding-window rate limits per provider, with explicit times.
#include <catch2/catch.hpp>

#include "config.hpp"
#include "rate_limiter.hpp"

using namespace notify;
using notify::router::RateLimiter;

TEST_CASE("a provider takes at most N dispatches in any window of its period") {
    RateLimiter r;
    r.set_limit("p", FrequencyCap{3, 10'000});
    const Millis t0 = 1'700'000'000'000;
    SECTION("the window slides with the oldest dispatch") {
        CHECK(r.try_take("p", t0));
        CHECK(r.try_take("p", t0 + 1000));
        CHECK(r.has_capacity("p", t0 + 2000));
        CHECK(r.try_take("p", t0 + 2000));
        CHECK_FALSE(r.has_capacity("p", t0 + 2000));
        CHECK_FALSE(r.try_take("p", t0 + 2000));
        CHECK(r.next_free("p", t0 + 2000) == t0 + 10'000);
        // One millisecond before the first dispatch leaves the window: still full.
        CHECK_FALSE(r.try_take("p", t0 + 9999));
        CHECK(r.next_free("p", t0 + 9999) == t0 + 10'000);
        CHECK(r.try_take("p", t0 + 10'000));
        // Now t0+1000, t0+2000 and t0+10000 are in the window.
        CHECK_FALSE(r.try_take("p", t0 + 10'500));
        CHECK(r.next_free("p", t0 + 10'500) == t0 + 11'000);
        CHECK(r.try_take("p", t0 + 11'000));
        CHECK(r.next_free("p", t0 + 11'000) == t0 + 12'000);
    }
    SECTION("a refused dispatch is not counted") {
        for (int i = 0; i < 3; ++i) REQUIRE(r.try_take("p", t0));
        for (int i = 0; i < 50; ++i) CHECK_FALSE(r.try_take("p", t0 + 5000));
        CHECK(r.try_take("p", t0 + 10'000));
        CHECK(r.try_take("p", t0 + 10'000));
        CHECK(r.try_take("p", t0 + 10'000));
        CHECK_FALSE(r.try_take("p", t0 + 10'000));
    }
    SECTION("providers without a limit always have room") {
        CHECK_FALSE(r.limited("other"));
        for (int i = 0; i < 1000; ++i) CHECK(r.try_take("other", t0));
        CHECK(r.next_free("other", t0) == t0);
        r.set_limit("p", FrequencyCap{});
        CHECK_FALSE(r.limited("p"));
        for (int i = 0; i < 10; ++i) CHECK(r.try_take("p", t0));
    }
}

TEST_CASE("an answered attempt holds its slot for a period after the answer") {
    // The vendor saw the request at some moment up to the answer: the next request
    // in this slot must not reach it within a period of that.
    RateLimiter r;
    r.set_limit("p", FrequencyCap{2, 1000});
    REQUIRE(r.try_take("p", 0));
    REQUIRE(r.try_take("p", 100));
    r.answered("p", 0, 400);
    CHECK(r.next_free("p", 500) == 1100);  // the attempt at 100 leaves first now
    CHECK(r.try_take("p", 1100));
    CHECK_FALSE(r.try_take("p", 1399));
    CHECK(r.next_free("p", 1399) == 1400);
    CHECK(r.try_take("p", 1400));
    SECTION("an answer after the window already let the attempt go changes nothing") {
        CHECK_FALSE(r.try_take("p", 1500));
        r.answered("p", 100, 1500);  // no longer in the window: no slot is held again
        r.answered("p", 7, 1500);    // never handed out
        CHECK(r.next_free("p", 1500) == 2100);
    }
    SECTION("an unanswered attempt frees its slot a period after the hand-out") {
        CHECK(r.next_free("p", 1500) == 2100);
        CHECK(r.try_take("p", 2100));
    }
}

TEST_CASE("100 deliveries for a 20/1m robot: 20 go, the next one after a minute") {
    RateLimiter r;
    r.set_limit("robot", FrequencyCap{20, 60'000});
    const Millis t0 = 5'000'000;
    int taken = 0;
    for (int i = 0; i < 100; ++i)
        if (r.try_take("robot", t0 + i * 10)) ++taken;
    CHECK(taken == 20);
    // The first went at t0: its minute ends at t0 + 60s.
    CHECK(r.next_free("robot", t0 + 1000) == t0 + 60'000);
    CHECK_FALSE(r.try_take("robot", t0 + 59'999));
    CHECK(r.try_take("robot", t0 + 60'000));
    CHECK_FALSE(r.try_take("robot", t0 + 60'005));
    CHECK(r.next_free("robot", t0 + 60'005) == t0 + 60'010);  // the second went at t0 + 10
}

TEST_CASE("the limiter reads every provider's limit from the config") {
    auto c = parse_config(R"(
[providers.ding]
type = "dingtalk-robot"
[providers.custom]
type = "wecom-robot"
rate_limit = "2/1s"
[providers.free]
type = "telegram"
rate_limit = "none"
[providers.hook]
type = "webhook"
url = "http://127.0.0.1:9/x"
[channels.ops]
providers = ["ding", "custom", "free", "hook"]
)",
                          "t.toml");
    REQUIRE(c);
    RateLimiter r(*c);
    CHECK(r.limited("ding"));
    CHECK(r.limited("custom"));
    CHECK_FALSE(r.limited("free"));
    CHECK_FALSE(r.limited("hook"));
    CHECK(r.try_take("custom", 0));
    CHECK(r.try_take("custom", 1));
    CHECK_FALSE(r.try_take("custom", 2));
    CHECK(r.next_free("custom", 2) == 1000);
    int ding = 0;
    for (int i = 0; i < 30; ++i)
        if (r.try_take("ding", i)) ++ding;
    CHECK(ding == 20);
}

TEST_CASE("a split message takes a slot for each of its parts from its answer") {
    RateLimiter l;
    l.set_limit("robot", FrequencyCap{5, 60'000});
    REQUIRE(l.try_take("robot", 0));
    // The attempt was sent as three messages, answered at 1s.
    l.answered("robot", 0, 1'000, 3);
    CHECK(l.try_take("robot", 1'000));
    CHECK(l.try_take("robot", 1'000));
    CHECK_FALSE(l.try_take("robot", 1'000));  // 3 parts + 2 = 5
    CHECK(l.next_free("robot", 1'000) == 61'000);
}

TEST_CASE("a provider with two limits needs room in both") {
    RateLimiter l;
    l.set_limits("bot", {FrequencyCap{5, 1'000}, FrequencyCap{8, 60'000}});
    for (int i = 0; i < 5; ++i) CHECK(l.try_take("bot", 0));
    CHECK_FALSE(l.try_take("bot", 999));  // five a second
    CHECK(l.next_free("bot", 999) == 1'000);
    for (int i = 0; i < 3; ++i) CHECK(l.try_take("bot", 1'000));
    CHECK_FALSE(l.try_take("bot", 2'000));  // eight a minute
    CHECK(l.next_free("bot", 2'000) == 60'000);
    CHECK(l.try_take("bot", 60'000));
}
