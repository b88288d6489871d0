// web_session.hpp - the dashboard's sign-in sessions. An API key of scope
// read or admin, typed once into the sign-in form, is kept in memory under a
// random session id that the browser holds in an HttpOnly, SameSite=Strict
// cookie; each page authenticates the key again (so a revoked key ends its
// sessions within the key cache's lifetime). Each session has its own CSRF
// token, which every form that changes something must carry.
// Memory only: a restarted ingest signs everyone out.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/time.hpp"

namespace notify::ingest {

using util::Millis;

inline constexpr const char* kSessionCookie = "notify_session";

struct WebSession {
    std::string key;   // the API key as presented
    std::string csrf;  // the token this session's forms carry
    Millis last_used = 0;
};

class WebSessions {
  public:
    static constexpr Millis kIdle = 8 * 3600 * 1000;
    static constexpr std::size_t kMax = 1000;

    // A new session for `key`; returns its id. Over kMax, the least recently
    // used one ends.
    std::string open(const std::string& key, Millis now);
    // The session, touched; nullptr when unknown or idle for longer than kIdle.
    WebSession* find(const std::string& id, Millis now);
    void close(const std::string& id);

  private:
    std::list<std::string> order_;  // ids, most recently used first
    struct Held {
        WebSession session;
        std::list<std::string>::iterator place;
    };
    std::unordered_map<std::string, Held> sessions_;
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "".
std::string cookie_value(std::string_view header, std::string_view name);
// A random token for session ids and CSRF tokens (256 bits, base64url).
std::string random_token();

}  // namespace notify::ingest
