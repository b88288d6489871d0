// user_request_limit.hpp - how often one end user's pages and apps may call
// the inbox routes with an inbox token: at most kRequests in a window of
// kWindow per user (fixed windows), so that one browser cannot keep the loop
// thread marking items. API keys have their own limits (key_limits.hpp).
//
// The counters live in memory on the loop thread; past kTracked users, those
// whose window has ended are forgotten, so memory follows the users active in
// the last window, not every user ever seen.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

#include "util/time.hpp"

namespace notify::ingest {

class UserRequestLimit {
  public:
    static constexpr long kRequests = 100;
    static constexpr util::Millis kWindow = 10'000;
    static constexpr std::size_t kTracked = 100'000;

    // Counts one request of `user`; when over the limit, the seconds until its
    // window ends (for Retry-After).
    std::optional<long> admit(const std::string& user, util::Millis now);
    std::size_t tracked() const { return windows_.size(); }

  private:
    struct Window {
        util::Millis start = 0;
        long requests = 0;
    };
    std::unordered_map<std::string, Window> windows_;
};

}  // namespace notify::ingest
