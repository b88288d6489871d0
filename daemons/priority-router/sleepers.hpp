// sleepers.hpp - scheduled deliveries far ahead, kept as no more than their
// wake-up: when, and their sequence number in the store. What else the router
// keeps of a delivery (Entry, its notification's facts, its timers) is read
// back from the store when it wakes, so that a million deliveries due next
// week cost the router 16 bytes each rather than most of a kilobyte.
//
// A delivery sleeps when it is scheduled (a send_at, or a hold) more than
// kAfter ahead; it wakes kLead before the first of its time and its expiry,
// and is admitted then with ordinary timers, which fire on time. The store
// is the truth while it sleeps: a wake-up whose delivery is no longer
// scheduled there (canceled meanwhile), or is already awake, is dropped, and
// cancel (control.cpp) finds sleeping deliveries as the scheduled ones of its
// notification that the router does not hold.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_set>
#include <vector>

#include "model.hpp"

namespace notify::router {

class Sleepers {
  public:
    static constexpr Millis kAfter = 30'000;  // scheduled further ahead than this sleeps
    static constexpr Millis kLead = 2'000;    // woken this long before its time

    // When `d` would wake if it slept from `now`; nullopt: it stays awake.
    static std::optional<Millis> wake_at(const Delivery& d, Millis now);

    // `channel`: its channel's number in the router's metrics, for gauges.
    void add(Millis wake_at, std::int64_t seq, std::size_t channel);
    // The sequence numbers due to wake at `now`, earliest first, at most `limit`.
    std::vector<std::int64_t> take_due(Millis now, std::size_t limit);
    // The delivery `seq` of `channel` woke (or was found gone).
    void woke(std::int64_t seq, std::size_t channel);
    // The delivery `seq` of `channel` ended while asleep (canceled): it no
    // longer counts, and its wake-up, when it comes, is dropped.
    void forget(std::int64_t seq, std::size_t channel);
    // When the next wakes; 0: none sleeps.
    Millis next_at() const { return heap_.empty() ? 0 : heap_.top().at; }
    std::size_t size() const { return heap_.size(); }
    // How many sleep, by channel number.
    const std::vector<std::int64_t>& by_channel() const { return by_channel_; }

  private:
    struct Sleeper {
        Millis at = 0;
        std::int64_t seq = 0;
        bool operator>(const Sleeper& o) const { return at > o.at; }
    };
    std::priority_queue<Sleeper, std::vector<Sleeper>, std::greater<Sleeper>> heap_;
    std::vector<std::int64_t> by_channel_;
    std::unordered_set<std::int64_t> forgotten_;  // in heap_, no longer counted
};

}  // namespace notify::router
