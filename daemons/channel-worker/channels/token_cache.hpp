// token_cache.hpp - an access token shared by every job of one provider in one
// worker (WeCom apps, DingTalk corp apps, WeChat Official Accounts).
//
// A token is fetched when the first job needs it, and fetched again when less
// than the refresh margin (a tenth of its lifetime, at most five minutes) is
// left: one fetch at a time; while it runs, jobs keep using the old token if it
// is still valid, else they wait for the new one. A token the vendor refuses
// (expired early, revoked) is dropped. A failed fetch is remembered for a few
// seconds so that the jobs waiting for it fail with its reason instead of each
// fetching in turn.
#pragma once

#include <optional>
#include <string>

#include "channels/adapter.hpp"

namespace notify::channels {

class TokenCache {
  public:
    // The token to send with now, or "" when there is none that is still valid.
    std::string usable(Millis now) const;
    // True when the caller should start a fetch: no usable token or near its
    // expiry, and no fetch running.
    bool should_fetch(Millis now) const;
    bool fetching() const { return fetching_; }
    void begin_fetch() { fetching_ = true; }
    // The fetch gave a token valid for `lifetime` from `now`.
    void store(std::string token, Millis lifetime, Millis now);
    // The fetch was dropped before it ran: no token, no failure to keep.
    void abandon_fetch() { fetching_ = false; }
    // The fetch failed with `why` (kept for kFailureHold).
    void fetch_failed(Attempt why, Millis now);
    // The failure of a fetch that ended less than kFailureHold ago.
    std::optional<Attempt> recent_failure(Millis now) const;
    // The vendor refused `token`; forget it unless a newer one is held already.
    void invalidate(const std::string& token);

    static constexpr Millis kFailureHold = 5000;
    static constexpr Millis kMaxMargin = 5 * 60 * 1000;

  private:
    std::string token_;
    Millis expires_at_ = 0;
    Millis refresh_at_ = 0;
    bool fetching_ = false;
    std::optional<Attempt> failure_;
    Millis failed_at_ = 0;
};

}  // namespace notify::channels
