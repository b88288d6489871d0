// request_windows.cpp - see request_windows.hpp.
#include "request_windows.hpp"

namespace notify::ingest {

std::optional<long> RequestWindows::admit(const std::string& key, util::Millis now) {
    if (windows_.size() >= kTracked && !windows_.count(key)) {
        for (auto it = windows_.begin(); it != windows_.end();)
            it = now - it->second.start >= window_ ? windows_.erase(it) : std::next(it);
    }
    Window& w = windows_[key];
    if (now - w.start >= window_) w = Window{now, 0};
    if (w.requests >= requests_) return (w.start + window_ - now + 999) / 1000;
    ++w.requests;
    return std::nullopt;
}

}  // namespace notify::ingest
