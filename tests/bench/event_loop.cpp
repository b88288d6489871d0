// event_loop.cpp - the bounded run of an event_base.
#include "event_loop.hpp"

#include <event2/event.h>

#include <stdexcept>

namespace notify::bench {

namespace {

struct Run {
    event_base* base;
    const std::function<bool()>* done;
    const std::function<void()>* tick;
    Micros deadline;
    bool finished = false;
};

void on_tick(int, short, void* arg) {
    auto* run = static_cast<Run*>(arg);
    if (*run->tick) (*run->tick)();
    if ((*run->done)()) {
        run->finished = true;
        event_base_loopbreak(run->base);
    } else if (now_us() >= run->deadline) {
        event_base_loopbreak(run->base);
    }
}

}  // namespace

EventLoop::EventLoop() {
    event_config* cfg = event_config_new();
    // Timers to the microsecond (timerfd), so the open-loop schedule is kept.
    event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
    base_ = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (!base_) throw std::runtime_error("cannot create an event base");
}

EventLoop::~EventLoop() {
    event_base_free(base_);
}

bool EventLoop::run_until(const std::function<bool()>& done, Micros deadline,
                          const std::function<void()>& tick, Micros tick_us) {
    if (done()) return true;
    Run run{base_, &done, &tick, deadline};
    event* timer = event_new(base_, -1, EV_PERSIST, &on_tick, &run);
    timeval interval{static_cast<time_t>(tick_us / 1000000),
                     static_cast<suseconds_t>(tick_us % 1000000)};
    event_add(timer, &interval);
    event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
    event_free(timer);
    return run.finished || done();
}

}  // namespace notify::bench
