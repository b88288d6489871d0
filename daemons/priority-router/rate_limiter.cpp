// rate_limiter.cpp - sliding-window-log rate limits per provider; see rate_limiter.hpp.
#include "rate_limiter.hpp"

#include <algorithm>

namespace notify::router {

RateLimiter::RateLimiter(const Config& config) {
    for (const auto& [name, p] : config.providers) set_limit(name, p.rate_limit);
}

void RateLimiter::set_limit(const std::string& provider, FrequencyCap limit) {
    if (limit.count <= 0 || limit.period <= 0) {
        windows_.erase(provider);
        return;
    }
    windows_[provider] = Window{limit, {}};
}

bool RateLimiter::limited(const std::string& provider) const {
    return windows_.count(provider) > 0;
}

RateLimiter::Window* RateLimiter::window(const std::string& provider, Millis now) {
    auto it = windows_.find(provider);
    if (it == windows_.end()) return nullptr;
    Window& w = it->second;
    // A dispatch at t counts for the window [t, t + period).
    while (!w.times.empty() && w.times.front() + w.limit.period <= now) w.times.pop_front();
    return &w;
}

bool RateLimiter::has_capacity(const std::string& provider, Millis now) {
    Window* w = window(provider, now);
    return !w || static_cast<long>(w->times.size()) < w->limit.count;
}

bool RateLimiter::try_take(const std::string& provider, Millis now) {
    Window* w = window(provider, now);
    if (!w) return true;
    if (static_cast<long>(w->times.size()) >= w->limit.count) return false;
    w->times.insert(std::upper_bound(w->times.begin(), w->times.end(), now), now);
    return true;
}

Millis RateLimiter::next_free(const std::string& provider, Millis now) {
    Window* w = window(provider, now);
    if (!w || static_cast<long>(w->times.size()) < w->limit.count) return now;
    // The window holds exactly `count` dispatches (try_take never adds more): the
    // oldest one leaving it makes room.
    return w->times.front() + w->limit.period;
}

void RateLimiter::answered(const std::string& provider, Millis dispatched_at, Millis now) {
    Window* w = window(provider, now);
    if (!w) return;
    auto it = std::lower_bound(w->times.begin(), w->times.end(), dispatched_at);
    if (it == w->times.end() || *it != dispatched_at) return;  // already out of the window
    w->times.erase(it);
    w->times.insert(std::upper_bound(w->times.begin(), w->times.end(), now), now);
}

}  // namespace notify::router
