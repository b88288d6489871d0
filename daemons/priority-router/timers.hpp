// timers.hpp - a min-heap of wake-ups for deliveries: scheduled and deferred
// ones coming due, leases running out, expiries. A timer names the delivery and
// the attempt it was set for; whoever handles it checks it still applies.
#pragma once

#include <queue>
#include <string>
#include <vector>

#include "model.hpp"

namespace notify::router {

enum class TimerKind { due, lease, expiry };

struct Timer {
    Millis at = 0;
    TimerKind kind = TimerKind::due;
    std::string delivery_id;
    int attempt = 0;
    bool operator>(const Timer& o) const { return at > o.at; }
};

class Timers {
  public:
    void add(Timer t) { heap_.push(std::move(t)); }
    bool empty() const { return heap_.empty(); }
    Millis next_at() const { return heap_.empty() ? 0 : heap_.top().at; }
    // Removes and returns the timers due at `now`.
    std::vector<Timer> take_due(Millis now) {
        std::vector<Timer> out;
        while (!heap_.empty() && heap_.top().at <= now) {
            out.push_back(heap_.top());
            heap_.pop();
        }
        return out;
    }
    std::size_t size() const { return heap_.size(); }

  private:
    std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> heap_;
};

}  // namespace notify::router
