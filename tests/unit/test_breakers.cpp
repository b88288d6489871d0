// test_breakers.cpp - a provider's circuit breaker: closed, open, half-open.
#include <catch2/catch.hpp>

#include "breakers.hpp"

using namespace notify::router;

namespace {

std::vector<std::string> states_of(Breakers& b) {
    std::vector<std::string> out;
    for (const auto& c : b.take_changes()) out.push_back(c.provider + " " + to_string(c.to));
    return out;
}

void fail_times(Breakers& b, const std::string& provider, int n, Millis at) {
    for (int i = 0; i < n; ++i) b.failed(provider, {"d" + std::to_string(i), 1}, at);
}

const std::string kProbe = "probe";

}  // namespace

TEST_CASE("a breaker opens, half-opens for one probe, and closes") {
    Breakers b(BreakerRules{3, 1'000, 5'000});
    const Millis t = 50'000;
    CHECK(b.none_blocking());
    fail_times(b, "sms", 2, t);
    CHECK(b.admits("sms"));
    CHECK(b.none_blocking());
    b.failed("sms", {"d9", 1}, t);
    CHECK_FALSE(b.admits("sms"));
    CHECK_FALSE(b.none_blocking());
    CHECK(b.admits("other"));
    CHECK(b.admits_at("sms", t + 10) == t + 1'000);
    CHECK(b.view("sms").open_until == t + 1'000);
    CHECK(b.view("sms").failures == 3);
    CHECK(states_of(b) == std::vector<std::string>{"sms open"});

    b.tick(t + 999);
    CHECK(b.state("sms") == BreakerState::open);
    b.tick(t + 1'000);
    CHECK(b.state("sms") == BreakerState::half_open);
    CHECK(b.admits("sms"));
    CHECK(states_of(b) == std::vector<std::string>{"sms half-open"});
    CHECK(b.none_blocking());  // half-open, no probe out yet

    b.dispatched("sms", {kProbe, 2}, t + 61'000);
    CHECK_FALSE(b.admits("sms"));
    CHECK(b.view("sms").probe == "probe");
    CHECK(b.admits_at("sms", t + 1'001) == t + 61'000);
    // Another delivery's late answer does not decide, nor an earlier attempt of
    // the probe's delivery, a success neither.
    b.failed("sms", {"late", 1}, t + 1'100);
    b.failed("sms", {kProbe, 1}, t + 1'100);
    b.succeeded("sms", {"late", 1}, t + 1'100);
    CHECK(b.state("sms") == BreakerState::half_open);
    CHECK_FALSE(b.admits("sms"));

    SECTION("its probe succeeds") {
        b.succeeded("sms", {kProbe, 2}, t + 1'200);
        CHECK(b.state("sms") == BreakerState::closed);
        CHECK(b.none_blocking());
        CHECK(states_of(b) == std::vector<std::string>{"sms closed"});
        CHECK(b.view("sms").failures == 0);
    }
    SECTION("its probe fails: the cool-down doubles up to the cap") {
        Millis now = t + 1'200;
        Millis expected = 2'000;
        for (int round = 0; round < 4; ++round) {
            b.failed("sms", {kProbe, 2}, now);
            CHECK(b.state("sms") == BreakerState::open);
            CHECK(b.view("sms").cooldown == expected);
            now += expected;
            b.tick(now);
            CHECK(b.state("sms") == BreakerState::half_open);
            b.dispatched("sms", {kProbe, 2}, now + 60'000);
            expected = std::min<Millis>(expected * 2, 5'000);
        }
        CHECK(b.view("sms").cooldown == 5'000);
        b.succeeded("sms", {kProbe, 2}, now);
        // Closed again: the next opening starts from the first cool-down.
        fail_times(b, "sms", 3, now);
        CHECK(b.view("sms").cooldown == 1'000);
    }
    SECTION("an answer that tells nothing lets the next attempt probe") {
        b.answered_neutral("sms", {"someone-else", 2});
        CHECK_FALSE(b.admits("sms"));
        b.answered_neutral("sms", {kProbe, 2});
        CHECK(b.admits("sms"));
        CHECK(b.state("sms") == BreakerState::half_open);
    }
    SECTION("a probe not answered by its deadline is let go") {
        b.tick(t + 60'999);
        CHECK_FALSE(b.admits("sms"));
        b.tick(t + 61'000);
        CHECK(b.admits("sms"));
        b.dispatched("sms", {"second", 1}, t + 121'000);
        CHECK(b.view("sms").probe == "second");
    }
}

TEST_CASE("while open, late answers of attempts sent before it opened") {
    Breakers b(BreakerRules{2, 1'000, 8'000});
    fail_times(b, "mail", 2, 0);
    REQUIRE(b.state("mail") == BreakerState::open);
    SECTION("a failure changes nothing") {
        b.failed("mail", {"late", 1}, 500);
        CHECK(b.view("mail").open_until == 1'000);
        CHECK(b.view("mail").cooldown == 1'000);
    }
    SECTION("a success changes nothing either: only a probe closes it") {
        b.succeeded("mail", {"late", 1}, 500);
        CHECK(b.state("mail") == BreakerState::open);
        CHECK_FALSE(b.admits("mail"));
    }
    SECTION("an attempt handed out while closed is no probe") {
        Breakers c(BreakerRules{2, 1'000, 8'000});
        c.dispatched("mail", {"x", 1}, 60'000);
        CHECK(c.view("mail").probe.empty());
        CHECK(c.none_blocking());
    }
}
