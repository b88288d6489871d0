// user_request_limit.cpp - see user_request_limit.hpp.
#include "user_request_limit.hpp"

namespace notify::ingest {

std::optional<long> UserRequestLimit::admit(const std::string& user, util::Millis now) {
    if (windows_.size() >= kTracked && !windows_.count(user)) {
        for (auto it = windows_.begin(); it != windows_.end();)
            it = now - it->second.start >= kWindow ? windows_.erase(it) : std::next(it);
    }
    Window& w = windows_[user];
    if (now - w.start >= kWindow) w = Window{now, 0};
    if (w.requests >= kRequests) return (w.start + kWindow - now + 999) / 1000;
    ++w.requests;
    return std::nullopt;
}

}  // namespace notify::ingest
