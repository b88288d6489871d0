// request_windows.hpp - at most so many requests per key (a user, an API key)
// in a fixed window: one end user's inbox token requests (100 in 10 s), so
// that one browser cannot keep the loop thread marking items, and one API
// key's one-time codes (otp.key_rate), so that a leaked key cannot flood
// phones. API keys' general limits are key_limits.hpp.
//
// The counters live in memory on the loop thread; past kTracked keys, those
// whose window has ended are forgotten, so memory follows the keys active in
// the last window, not every key ever seen.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

#include "util/time.hpp"

namespace notify::ingest {

class RequestWindows {
  public:
    static constexpr std::size_t kTracked = 100'000;

    RequestWindows(long requests, util::Millis window) : requests_(requests), window_(window) {}

    // Counts one request of `key`; when over the limit, the seconds until its
    // window ends (for Retry-After).
    std::optional<long> admit(const std::string& key, util::Millis now);
    std::size_t tracked() const { return windows_.size(); }
    long requests() const { return requests_; }
    util::Millis window() const { return window_; }

  private:
    struct Window {
        util::Millis start = 0;
        long requests = 0;
    };
    long requests_;
    util::Millis window_;
    std::unordered_map<std::string, Window> windows_;
};

}  // namespace notify::ingest
