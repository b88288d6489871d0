// rate_limiter.cpp - sliding-window-log rate limits per provider; see rate_limiter.hpp.
#include "rate_limiter.hpp"

#include <algorithm>

namespace notify::router {

RateLimiter::RateLimiter(const Config& config) {
    for (const auto& [name, p] : config.providers) set_limits(name, p.rate_limits);
}

void RateLimiter::set_limit(const std::string& provider, FrequencyCap limit) {
    set_limits(provider, {limit});
}

void RateLimiter::set_limits(const std::string& provider, const std::vector<FrequencyCap>& limits) {
    std::vector<Window> windows;
    for (const auto& limit : limits)
        if (limit.count > 0 && limit.period > 0) windows.push_back(Window{limit, {}});
    if (windows.empty())
        windows_.erase(provider);
    else
        windows_[provider] = std::move(windows);
}

bool RateLimiter::limited(const std::string& provider) const {
    return windows_.count(provider) > 0;
}

std::vector<RateLimiter::Window>* RateLimiter::windows(const std::string& provider, Millis now) {
    auto it = windows_.find(provider);
    if (it == windows_.end()) return nullptr;
    // A dispatch at t counts for the window [t, t + period).
    for (Window& w : it->second)
        while (!w.times.empty() && w.times.front() + w.limit.period <= now) w.times.pop_front();
    return &it->second;
}

bool RateLimiter::has_capacity(const std::string& provider, Millis now) {
    auto* ws = windows(provider, now);
    if (!ws) return true;
    for (const Window& w : *ws)
        if (static_cast<long>(w.times.size()) >= w.limit.count) return false;
    return true;
}

bool RateLimiter::try_take(const std::string& provider, Millis now) {
    if (!has_capacity(provider, now)) return false;
    if (auto* ws = windows(provider, now))
        for (Window& w : *ws)
            w.times.insert(std::upper_bound(w.times.begin(), w.times.end(), now), now);
    return true;
}

Millis RateLimiter::next_free(const std::string& provider, Millis now) {
    auto* ws = windows(provider, now);
    Millis at = now;
    if (!ws) return at;
    for (const Window& w : *ws) {
        const auto held = static_cast<long>(w.times.size());
        // Room comes when all but count - 1 of the times held have left the window.
        if (held >= w.limit.count)
            at = std::max(at,
                          w.times[static_cast<std::size_t>(held - w.limit.count)] + w.limit.period);
    }
    return at;
}

void RateLimiter::answered(const std::string& provider, Millis dispatched_at, Millis now,
                           int requests) {
    auto* ws = windows(provider, now);
    if (!ws) return;
    for (Window& w : *ws) {
        // The attempt moves to the answer's time, unless the window let it go
        // already; every further request it made (the parts of a split text)
        // is a message the vendor counts too.
        auto it = std::lower_bound(w.times.begin(), w.times.end(), dispatched_at);
        int count = std::max(1, requests) - 1;
        if (it != w.times.end() && *it == dispatched_at) {
            w.times.erase(it);
            ++count;
        }
        auto at = std::upper_bound(w.times.begin(), w.times.end(), now);
        w.times.insert(at, static_cast<std::size_t>(count), now);
    }
}

}  // namespace notify::router
