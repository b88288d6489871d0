// token_cache.cpp - one provider's access token and the state of its fetch.
#include "channels/token_cache.hpp"

#include <algorithm>

namespace notify::channels {

std::string TokenCache::usable(Millis now) const {
    return !token_.empty() && now < expires_at_ ? token_ : std::string();
}

bool TokenCache::should_fetch(Millis now) const {
    return !fetching_ && (token_.empty() || now >= refresh_at_);
}

void TokenCache::store(std::string token, Millis lifetime, Millis now) {
    fetching_ = false;
    failure_.reset();
    token_ = std::move(token);
    expires_at_ = now + lifetime;
    refresh_at_ = expires_at_ - std::min(kMaxMargin, lifetime / 10);
}

void TokenCache::fetch_failed(Attempt why, Millis now) {
    fetching_ = false;
    failure_ = std::move(why);
    failed_at_ = now;
}

std::optional<Attempt> TokenCache::recent_failure(Millis now) const {
    if (failure_ && now - failed_at_ < kFailureHold) return failure_;
    return std::nullopt;
}

void TokenCache::invalidate(const std::string& token) {
    if (token == token_) {
        token_.clear();
        expires_at_ = refresh_at_ = 0;
    }
}

}  // namespace notify::channels
