// Sleepers: which scheduled deliveries sleep, when they wake (before the first
// of their time and their expiry), in order, a batch at a time, counted by
// channel.
#include <catch2/catch.hpp>

#include "sleepers.hpp"

using namespace notify;
using notify::router::Sleepers;

namespace {

Delivery scheduled(Millis at, Millis expires_at = 0) {
    Delivery d;
    d.state = DeliveryState::scheduled;
    d.next_attempt_at = at;
    d.expires_at = expires_at;
    return d;
}

}  // namespace

TEST_CASE("Only deliveries scheduled far ahead sleep", "[router][sleepers]") {
    const Millis now = 1'000'000;
    CHECK_FALSE(Sleepers::wake_at(scheduled(now + Sleepers::kAfter), now));
    CHECK(Sleepers::wake_at(scheduled(now + Sleepers::kAfter + 1), now) ==
          now + Sleepers::kAfter + 1 - Sleepers::kLead);
    // An expiry before its time wakes it for the expiry.
    CHECK(Sleepers::wake_at(scheduled(now + 3'600'000, now + 60'000), now) ==
          now + 60'000 - Sleepers::kLead);
    CHECK_FALSE(Sleepers::wake_at(scheduled(now + 3'600'000, now + 1'000), now));
    Delivery queued = scheduled(now + 3'600'000);
    queued.state = DeliveryState::queued;
    CHECK_FALSE(Sleepers::wake_at(queued, now));
    Delivery deferred = scheduled(now + 3'600'000);
    deferred.state = DeliveryState::deferred;
    CHECK_FALSE(Sleepers::wake_at(deferred, now));
}

TEST_CASE("Sleepers wake in order, a batch at a time", "[router][sleepers]") {
    Sleepers s;
    CHECK(s.next_at() == 0);
    s.add(300, 3, 1);
    s.add(100, 1, 0);
    s.add(200, 2, 1);
    s.add(900, 9, 2);
    CHECK(s.size() == 4);
    CHECK(s.next_at() == 100);
    CHECK(s.by_channel() == std::vector<std::int64_t>{1, 2, 1});
    CHECK(s.take_due(50, 10).empty());
    CHECK(s.take_due(300, 2) == std::vector<std::int64_t>{1, 2});
    CHECK(s.take_due(300, 2) == std::vector<std::int64_t>{3});
    CHECK(s.next_at() == 900);
    s.woke(1, 0);
    s.woke(2, 1);
    s.woke(3, 1);
    s.woke(3, 1);  // never below zero
    CHECK(s.by_channel() == std::vector<std::int64_t>{0, 0, 1});
    // Canceled while asleep: no longer counted, and its wake-up counts nothing.
    s.forget(9, 2);
    s.forget(9, 2);
    CHECK(s.by_channel() == std::vector<std::int64_t>{0, 0, 0});
    s.add(950, 10, 2);
    CHECK(s.take_due(1000, 10) == std::vector<std::int64_t>{9, 10});
    s.woke(9, 2);
    CHECK(s.by_channel() == std::vector<std::int64_t>{0, 0, 1});
    s.woke(10, 2);
    CHECK(s.by_channel() == std::vector<std::int64_t>{0, 0, 0});
}
