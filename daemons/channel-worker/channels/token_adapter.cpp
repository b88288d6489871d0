// token_adapter.cpp - an attempt that may fetch the provider's access token first.
#include "channels/token_adapter.hpp"

#include "util/time.hpp"

namespace notify::channels {

namespace {

// A stopped message's place is kept this long: the send again comes at once,
// or once another job's token fetch ends.
constexpr Millis kStoppedKept = 10 * 60 * 1000;

std::string attempt_key(const wire::Job& job) {
    return job.delivery_id + "/" + std::to_string(job.attempt);
}

}  // namespace

Started TokenAdapter::start(const wire::Job& job) {
    // An attempt that already had its token refreshed once (and then waited for
    // the new one) does not refresh again.
    auto it = refreshed_.find(attempt_key(job));
    if (it == refreshed_.end()) return start_with(job, true);
    Started next = start_with(job, false);
    if (!std::holds_alternative<Wait>(next)) refreshed_.erase(it);
    return next;
}

Started TokenAdapter::start_with(const wire::Job& job, bool may_refresh) {
    const Millis now = util::steady_ms();
    std::string token = tokens_.usable(now);
    auto failed = tokens_.recent_failure(now);
    if (token.empty() && failed) return *failed;
    // After a failed refresh the token in hand serves until the hold is over.
    if (!failed && tokens_.should_fetch(now)) return fetch_then_send(job, may_refresh);
    if (!token.empty()) return send(job, token, may_refresh);
    if (tokens_.fetching()) return Wait{};  // another job is fetching the token this one needs
    return fetch_then_send(job, may_refresh);
}

Started TokenAdapter::fetch_then_send(const wire::Job& job, bool may_refresh) {
    tokens_.begin_fetch();
    auto on_reply = [this, job, may_refresh](const HttpReply& reply) -> Started {
        FetchedToken fetched = read_token(reply);
        const Millis now = util::steady_ms();
        if (fetched.failure) {
            tokens_.fetch_failed(*fetched.failure, now);
            // An early refresh that failed: the token in hand is still valid.
            if (std::string old = tokens_.usable(now); !old.empty())
                return send(job, old, may_refresh);
            return *fetched.failure;
        }
        tokens_.store(fetched.token, fetched.lifetime, now);
        return send(job, fetched.token, may_refresh);
    };
    auto on_failure = [this](const Attempt& failed) {
        // The worker dropped the fetch before it ran: no reason to hold against others.
        if (failed.code == "curl:" + std::to_string(static_cast<int>(CURLE_ABORTED_BY_CALLBACK)))
            tokens_.abandon_fetch();
        else
            tokens_.fetch_failed(failed, util::steady_ms());
    };
    return http_call(timeout_, token_request(), on_reply, on_failure);
}

Started TokenAdapter::refused(const wire::Job& job, const std::string& token,
                              const Attempt& failure, bool may_refresh) {
    tokens_.invalidate(token);
    if (!may_refresh) return Attempt::retryable(failure.code, failure.message, failure.retry_after);
    const Millis now = util::steady_ms();
    for (auto it = refreshed_.begin(); it != refreshed_.end();)
        it = now - it->second > kStoppedKept ? refreshed_.erase(it) : std::next(it);
    const std::string key = attempt_key(job);
    Started next = start_with(job, false);
    // Waiting for another job's fetch: the worker starts this one again later.
    if (std::holds_alternative<Wait>(next)) refreshed_[key] = now;
    return next;
}

Started TokenAdapter::send_parts(const wire::Job& job, const std::string& token, bool may_refresh,
                                 MessageParts parts) {
    parts.timeout = timeout_;
    parts.refused = [this, job, token, may_refresh](const Attempt& failure,
                                                    const PartsProgress& at) -> Started {
        if (may_refresh) remember(job, at);
        return refused(job, token, failure, may_refresh);
    };
    PartsProgress from = resume(job, parts.count);
    return channels::send_parts(std::make_shared<const MessageParts>(std::move(parts)),
                                std::move(from));
}

void TokenAdapter::remember(const wire::Job& job, const PartsProgress& at) {
    const Millis now = util::steady_ms();
    for (auto it = stopped_.begin(); it != stopped_.end();)
        it = now - it->second.when > kStoppedKept ? stopped_.erase(it) : std::next(it);
    if (at.next == 0) return;  // nothing went out: the send again starts over
    stopped_[attempt_key(job)] = Stopped{at, now};
}

PartsProgress TokenAdapter::resume(const wire::Job& job, size_t count) {
    auto it = stopped_.find(attempt_key(job));
    if (it == stopped_.end()) return {};
    PartsProgress at = std::move(it->second.at);
    stopped_.erase(it);
    return at.next < count ? at : PartsProgress{};
}

}  // namespace notify::channels
