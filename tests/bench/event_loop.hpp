// event_loop.hpp - a libevent event_base for the benchmark's client side, run
// until a condition holds or a deadline passes (the benchmark never runs an
// unbounded loop). The condition is checked on every tick of a short timer.
#pragma once

#include <functional>

#include "clock.hpp"

struct event_base;

namespace notify::bench {

class EventLoop {
  public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    event_base* base() const { return base_; }

    // Runs until `done()` is true or now_us() >= deadline; `tick` (if given) runs
    // on every timer tick before the check. Returns whether `done()` held.
    bool run_until(const std::function<bool()>& done, Micros deadline,
                   const std::function<void()>& tick = {}, Micros tick_us = 1000);

  private:
    event_base* base_;
};

}  // namespace notify::bench
