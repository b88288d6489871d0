// token_adapter.hpp - the base of adapters whose vendor wants an access token
// on every send (WeCom apps, DingTalk work notices, WeChat Official Accounts).
//
// The derived adapter says how to fetch a token and how to send with one; this
// class keeps the provider's TokenCache and runs the attempt: fetch first when
// needed (one fetch at a time; other jobs wait or use the still-valid old
// token), then send. When the vendor refuses the token the send handler calls
// refused(): the token is dropped, a new one fetched and the send made once more.
// A message sent in parts (send_parts) then goes on from the refused part, so
// the parts already delivered are not sent twice.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "channels/adapter.hpp"
#include "channels/message_parts.hpp"
#include "channels/token_cache.hpp"
#include "channels/vendor_http.hpp"

namespace notify::channels {

// What a token endpoint answered: a token and its lifetime, or why not.
struct FetchedToken {
    std::string token;
    Millis lifetime = 0;
    std::optional<Attempt> failure;
};

class TokenAdapter : public Adapter {
  public:
    explicit TokenAdapter(Millis timeout) : timeout_(timeout) {}
    Started start(const wire::Job& job) final;

  protected:
    virtual HttpRequest token_request() const = 0;
    virtual FetchedToken read_token(const HttpReply& reply) const = 0;
    // Sends `job` with `token`; the reply handler calls refused(..., may_refresh)
    // when the vendor answers that the token is expired or invalid.
    virtual Started send(const wire::Job& job, const std::string& token, bool may_refresh) = 0;

    // The vendor refused `token` with `failure`: drop the token and, when
    // `may_refresh`, send again with a new one; else `failure`, as retryable.
    Started refused(const wire::Job& job, const std::string& token, const Attempt& failure,
                    bool may_refresh);

    // Sends `job`'s message `parts` with `token` (for send()); `parts.read`
    // marks a part whose token was refused: the attempt then goes on with a
    // new token from that part, or fails with how far it got. The timeout
    // and `parts.refused` are set here.
    Started send_parts(const wire::Job& job, const std::string& token, bool may_refresh,
                       MessageParts parts);

    Millis timeout() const { return timeout_; }
    TokenCache& tokens() { return tokens_; }

  private:
    // Where a job's message stopped when its token was refused.
    struct Stopped {
        PartsProgress at;
        Millis when = 0;
    };

    Started start_with(const wire::Job& job, bool may_refresh);
    Started fetch_then_send(const wire::Job& job, bool may_refresh);
    void remember(const wire::Job& job, const PartsProgress& at);
    PartsProgress resume(const wire::Job& job, size_t count);

    Millis timeout_;
    TokenCache tokens_;
    std::map<std::string, Stopped> stopped_;  // by delivery id and attempt
    // Attempts whose token was refreshed once and that wait for the new one.
    std::map<std::string, Millis> refreshed_;
};

}  // namespace notify::channels
