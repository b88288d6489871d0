// test_provider_choice.cpp - weighted first attempts, failover order, rate
// capacity and the providers' breakers.
#include <catch2/catch.hpp>

#include <map>

#include "config.hpp"
#include "provider_choice.hpp"
#include "rate_limiter.hpp"

using namespace notify;
using notify::router::BreakerRules;
using notify::router::Breakers;
using notify::router::BreakerState;
using notify::router::ProviderChoice;
using notify::router::ProviderPick;
using notify::router::RateLimiter;

namespace {

Config three_providers(const std::string& channel_extra = {}) {
    auto c = parse_config(R"(
[providers.a]
type = "webhook"
url = "http://127.0.0.1:9/a"
[providers.b]
type = "webhook"
url = "http://127.0.0.1:9/b"
[providers.c]
type = "webhook"
url = "http://127.0.0.1:9/c"
[channels.ops]
providers = ["a", "b", "c"]
)" + channel_extra,
                          "t.toml");
    REQUIRE(c);
    return *c;
}

std::string first(ProviderChoice& choice, Millis now, const std::string& channel = "ops") {
    ProviderPick p = choice.choose(channel, "", {}, now);
    REQUIRE(p.kind == ProviderPick::Kind::chosen);
    return p.provider;
}

}  // namespace

TEST_CASE("first attempts follow the channel's weights, or its first provider") {
    SECTION("weights 3:1 give exactly 300 and 100 of 400, interleaved") {
        auto c = parse_config(R"(
[providers.a]
type = "webhook"
url = "http://127.0.0.1:9/a"
[providers.b]
type = "webhook"
url = "http://127.0.0.1:9/b"
[channels.ops]
providers = ["a", "b"]
weights = [3, 1]
)",
                              "t.toml");
        REQUIRE(c);
        RateLimiter limiter(*c);
        ProviderChoice choice(*c, limiter);
        std::string order;
        std::map<std::string, int> count;
        for (int i = 0; i < 400; ++i) {
            const std::string p = first(choice, 1000);
            ++count[p];
            order += p;
        }
        CHECK(count["a"] == 300);
        CHECK(count["b"] == 100);
        CHECK(order.substr(0, 8) == "aabaaaba");
        // Every run of four has exactly one b: never two b's together, never four a's.
        for (std::size_t i = 0; i + 4 <= order.size(); i += 4)
            CHECK(std::count(order.begin() + static_cast<long>(i),
                             order.begin() + static_cast<long>(i) + 4, 'b') == 1);
        CHECK(order.find("bb") == std::string::npos);
        CHECK(order.find("aaaa") == std::string::npos);
    }
    SECTION("without weights the first provider takes every first attempt") {
        Config c = three_providers();
        RateLimiter limiter(c);
        ProviderChoice choice(c, limiter);
        for (int i = 0; i < 10; ++i) CHECK(first(choice, 1000) == "a");
    }
    SECTION("a weight of 0 keeps a provider for failover") {
        Config c = three_providers("weights = [0, 1, 1]\n");
        RateLimiter limiter(c);
        ProviderChoice choice(c, limiter);
        std::map<std::string, int> count;
        for (int i = 0; i < 10; ++i) ++count[first(choice, 1000)];
        CHECK(count["a"] == 0);
        CHECK(count["b"] == 5);
        CHECK(count["c"] == 5);
        CHECK(choice.failover("ops", "c", {"c"}, 1000) == "a");
    }
    SECTION("an unknown channel is unconfigured") {
        Config c = three_providers();
        RateLimiter limiter(c);
        ProviderChoice choice(c, limiter);
        CHECK(choice.choose("gone", "", {}, 0).kind == ProviderPick::Kind::unconfigured);
    }
}

TEST_CASE("a retry goes to the provider after the one that failed") {
    Config c = three_providers();
    RateLimiter limiter(c);
    ProviderChoice choice(c, limiter);
    const Millis now = 1000;
    SECTION("failover order, then nothing left untried") {
        CHECK(choice.failover("ops", "a", {"a"}, now) == "b");
        CHECK(choice.choose("ops", "a", {"a"}, now).provider == "b");
        CHECK(choice.failover("ops", "b", {"a", "b"}, now) == "c");
        CHECK(choice.choose("ops", "b", {"a", "b"}, now).provider == "c");
        CHECK(choice.failover("ops", "c", {"a", "b", "c"}, now).empty());
        // After the backoff (nothing tried since), the next after the last failure.
        CHECK(choice.choose("ops", "c", {}, now).provider == "a");
    }
    SECTION("the order wraps around from where it failed") {
        CHECK(choice.failover("ops", "b", {"b"}, now) == "c");
        CHECK(choice.failover("ops", "c", {"b", "c"}, now) == "a");
        CHECK(choice.failover("ops", "a", {"b", "c", "a"}, now).empty());
    }
    SECTION("a provider out of capacity is passed over; a failover waits for its own") {
        limiter.set_limit("b", FrequencyCap{1, 60'000});
        REQUIRE(limiter.try_take("b", now));
        CHECK(choice.choose("ops", "a", {}, now).provider == "c");
        // Failing over from a with c tried too: b is the only one left, and it is full.
        ProviderPick wait = choice.choose("ops", "c", {"a", "c"}, now);
        CHECK(wait.kind == ProviderPick::Kind::wait);
        CHECK(wait.provider == "b");
        CHECK(wait.at == now + 60'000);
        CHECK(choice.choose("ops", "c", {"a", "c"}, now + 60'000).provider == "b");
    }
}

TEST_CASE("rate limits pass over a full provider and block a channel with none free") {
    Config c = three_providers();
    RateLimiter limiter(c);
    for (const char* p : {"a", "b", "c"}) limiter.set_limit(p, FrequencyCap{1, 1000});
    ProviderChoice choice(c, limiter);
    CHECK(choice.can_block("ops"));
    const Millis t = 10'000;
    std::string order;
    for (int i = 0; i < 3; ++i) {
        REQUIRE_FALSE(choice.blocked("ops", t + i));
        const std::string p = first(choice, t + i);
        REQUIRE(limiter.try_take(p, t + i));
        order += p;
    }
    CHECK(order == "abc");
    CHECK(choice.blocked("ops", t + 3));
    CHECK(choice.choose("ops", "", {}, t + 3).kind == ProviderPick::Kind::blocked);
    CHECK(choice.next_free("ops", t + 3) == t + 1000);
    CHECK_FALSE(choice.blocked("ops", t + 1000));
    CHECK(first(choice, t + 1000) == "a");
    // A provider with neither a rate limit nor a cap of attempts in flight
    // never blocks its channel.
    limiter.set_limit("c", FrequencyCap{});
    CHECK(choice.can_block("ops"));  // c's max_connections, 32 by default
    choice.caps().set_cap("c", 0);
    CHECK_FALSE(choice.can_block("ops"));
}

TEST_CASE("a provider whose breaker is open takes no attempt") {
    Config c = three_providers("weights = [1, 1, 0]\n");
    RateLimiter limiter(c);
    ProviderChoice choice(c, limiter, BreakerRules{3, 30'000, 120'000});
    Breakers& breakers = choice.breakers();
    const Millis t = 100'000;
    SECTION("three retryable failures in a row: skipped for 30s, then probed") {
        breakers.failed("a", {"d1", 1}, t);
        breakers.failed("a", {"d2", 1}, t + 1);
        CHECK(breakers.admits("a"));
        breakers.failed("a", {"d3", 1}, t + 2);
        CHECK_FALSE(breakers.admits("a"));
        for (int i = 0; i < 6; ++i) CHECK(first(choice, t + 10) == "b");
        // Failover from b skips a (open) and goes to c; from c, nothing is left.
        CHECK(choice.failover("ops", "b", {"b"}, t + 10) == "c");
        CHECK(choice.failover("ops", "c", {"b", "c"}, t + 10).empty());
        // Its 30 seconds are over: one attempt probes it, the others wait for that.
        CHECK(choice.next_free("ops", t + 10) == t + 10);
        std::map<std::string, int> count;
        for (int i = 0; i < 4; ++i) ++count[first(choice, t + 30'002)];
        CHECK(count["a"] == 2);  // half-open: admitted until a probe is out
        const std::string probe = "probe";
        breakers.dispatched("a", {probe, 1}, t + 90'000);
        CHECK(breakers.state("a") == BreakerState::half_open);
        for (int i = 0; i < 4; ++i) CHECK(first(choice, t + 30'003) == "b");
        SECTION("the probe fails: open for twice as long") {
            breakers.failed("a", {probe, 1}, t + 40'000);
            CHECK(breakers.state("a") == BreakerState::open);
            choice.breakers().tick(t + 99'999);
            CHECK_FALSE(breakers.admits("a"));
            choice.breakers().tick(t + 100'000);
            CHECK(breakers.admits("a"));
        }
        SECTION("the probe succeeds: closed") {
            breakers.succeeded("a", {probe, 1}, t + 40'000);
            CHECK(breakers.state("a") == BreakerState::closed);
            breakers.failed("a", {"d4", 1}, t + 40'000);
            CHECK(breakers.admits("a"));
        }
    }
    SECTION("a success in between starts the count again") {
        breakers.failed("a", {"d1", 1}, t);
        breakers.failed("a", {"d2", 1}, t);
        breakers.succeeded("a", {"d0", 1}, t);
        breakers.failed("a", {"d3", 1}, t);
        breakers.failed("a", {"d4", 1}, t);
        CHECK(breakers.admits("a"));
    }
    SECTION("when every breaker is open, the channel waits for the first to half-open") {
        for (const char* p : {"a", "b", "c"})
            for (int i = 0; i < 3; ++i) breakers.failed(p, {"d", i}, t + (p[0] - 'a'));
        CHECK(choice.blocked("ops", t + 5));
        CHECK(choice.choose("ops", "", {}, t + 5).kind == ProviderPick::Kind::blocked);
        CHECK(choice.choose("ops", "a", {}, t + 5).kind == ProviderPick::Kind::blocked);
        CHECK(choice.next_free("ops", t + 5) == t + 30'000);
        CHECK_FALSE(choice.blocked("ops", t + 30'000));
        CHECK(first(choice, t + 30'000) == "a");
    }
    SECTION("a failover whose untried provider is open waits for it") {
        for (int i = 0; i < 3; ++i) breakers.failed("b", {"d", i}, t);
        ProviderPick p = choice.choose("ops", "a", {"a"}, t + 5);
        // c is next after b; only a was tried, so b (open) and c are untried.
        CHECK(p.kind == ProviderPick::Kind::chosen);
        CHECK(p.provider == "c");
        for (int i = 0; i < 3; ++i) breakers.failed("c", {"d", i}, t);
        // A permanent failure's failover takes the next one, b, whatever its
        // breaker says (the delivery then waits for it).
        CHECK(choice.failover("ops", "a", {"a"}, t + 5).empty());
        CHECK(choice.failover("ops", "a", {"a"}, t + 5, true) == "b");
        p = choice.choose("ops", "a", {"a"}, t + 5);
        CHECK(p.kind == ProviderPick::Kind::wait);
        CHECK(p.at == t + 30'000);
    }
}

TEST_CASE("max_connections holds a provider to its attempts in flight, over every path they end") {
    auto c = parse_config(R"(
[providers.a]
type = "webhook"
url = "http://127.0.0.1:9/a"
max_connections = 2
[providers.b]
type = "webhook"
url = "http://127.0.0.1:9/b"
max_connections = 1
[providers.push]
type = "apns"
team_id = "ABCDE12345"
key_id = "KEY1234567"
private_key = "file:/nonexistent.p8"
topic = "com.example.app"
max_connections = 1
[channels.ops]
providers = ["a", "b"]
)",
                          "t.toml");
    REQUIRE(c);
    RateLimiter limiter(*c);
    ProviderChoice choice(*c, limiter);
    auto& caps = choice.caps();
    const Millis t = 1'000'000;
    CHECK(choice.can_block("ops"));
    // a takes two, then b one; then the channel waits for an answer, not a time.
    CHECK(first(choice, t) == "a");
    caps.take("a", "d1", 1);
    CHECK(first(choice, t) == "a");
    caps.take("a", "d2", 1);
    CHECK(first(choice, t) == "b");
    caps.take("b", "d3", 1);
    CHECK(choice.choose("ops", "", {}, t).kind == ProviderPick::Kind::blocked);
    CHECK(choice.blocked("ops", t));
    CHECK(choice.next_free("ops", t) == 0);
    // A failover whose untried provider is only at its cap is held for a
    // place (not deferred to a time); the channel itself is blocked here, as
    // both providers are full.
    CHECK(choice.choose("ops", "a", {"a"}, t).kind == ProviderPick::Kind::held);
    // An answer to an attempt given up on frees nothing; the held one does.
    caps.release("d1", 2);
    CHECK(caps.in_flight("a") == 2);
    caps.release("d1", 1);
    CHECK(caps.in_flight("a") == 1);
    CHECK(first(choice, t) == "a");
    // a has room again, b still none: the failover from a waits for b alone.
    CHECK_FALSE(choice.blocked("ops", t));
    CHECK(choice.choose("ops", "a", {"a"}, t).kind == ProviderPick::Kind::held);
    // The next attempt of a delivery gives up its last one's place.
    caps.take("b", "d2", 2);
    CHECK(caps.in_flight("a") == 0);
    CHECK(caps.in_flight("b") == 2);  // d3 and d2: over its cap of 1 for the moment
    caps.forget("d3");
    caps.forget("d2");
    caps.forget("d2");
    CHECK(caps.in_flight("b") == 0);
    // HTTP/2 types carry many attempts on a connection: not capped.
    CHECK_FALSE(caps.capped("push"));
    for (int i = 0; i < 10; ++i) caps.take("push", "p" + std::to_string(i), 1);
    CHECK(caps.has_room("push"));
    // The default is 32.
    auto d = parse_config(R"(
[providers.a]
type = "webhook"
url = "http://127.0.0.1:9/a"
)",
                          "t.toml");
    REQUIRE(d);
    CHECK(d->providers.at("a").max_connections == 32);
    for (const char* bad : {"0", "65537", "\"8\"", "1.5"}) {
        auto e = parse_config(std::string("[providers.a]\ntype = \"webhook\"\nurl = "
                                          "\"http://127.0.0.1:9/a\"\nmax_connections = ") +
                                  bad + "\n",
                              "t.toml");
        REQUIRE_FALSE(e);
        CHECK_THAT(e.error().message,
                   Catch::Contains("'providers.a.max_connections' must be a whole number"));
    }
}
