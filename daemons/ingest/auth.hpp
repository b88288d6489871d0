// auth.hpp - API keys over HTTP: "Authorization: Bearer nk_<id>_<secret>",
// checked with Store::find_api_key and cached for a few seconds so the hot path
// does not reach SQLite on every request (a revoked key stops working within the
// cache's lifetime). Scopes: "read" may GET, "send" may POST notifications,
// batches, cancel and resend, and read, cancel and resend only the
// notifications it made itself; "admin" may do everything.
#pragma once

#include <optional>
#include <string>

#include "config.hpp"
#include "store/store.hpp"
#include "util/bounded_map.hpp"
#include "util/error.hpp"

namespace notify::ingest {

enum class Scope { read, send, admin };

std::optional<Scope> parse_scope(const std::string& text);
const char* to_string(Scope s);
// Whether a key of scope `have` may do what needs `need`.
bool allows(Scope have, Scope need);

// The ids (and names) of the callers that are not an API key.
inline constexpr const char* kLocalPrincipal = "local";     // notifyctl over the ipc socket
inline constexpr const char* kAnonymousPrincipal = "http";  // without a key (require_api_key off)

struct Principal {
    Scope scope = Scope::admin;
    std::string name;  // the key's name; "local" for the ipc socket, "http" without a key
    std::string id;    // the key's id, which owns what it sends; else the same as `name`
    // The key's own limits (apikey create --rate-limit, --recipients-per-day);
    // unset: the [api] defaults.
    std::optional<FrequencyCap> rate_limit;
    std::optional<long> recipients_per_day;
    // An API key (not the ipc socket, not an anonymous request): rate limits apply.
    bool is_key() const { return id != kLocalPrincipal && id != kAnonymousPrincipal; }
};

// Whether `who` may see, cancel and resend `n`: a send-scope key only its own.
inline bool owns(const Principal& who, const Notification& n) {
    return who.scope != Scope::send || n.api_key_id == who.id;
}

constexpr Millis kKeyCacheTtl = 5000;

class KeyCache {
  public:
    KeyCache(store::Store& store, Millis ttl = kKeyCacheTtl)
        : store_(store), ttl_(ttl), cache_(kMaxEntries) {}

    // The principal for an Authorization header value. With `require_key` false,
    // a request without a header is an anonymous admin (local demos). Errors are
    // 401 "unauthorized".
    Expected<Principal> authenticate(const std::string& authorization, bool require_key);

  private:
    struct Entry {
        std::optional<Principal> principal;  // nullopt: unknown or revoked
        Millis until = 0;                    // steady clock
    };
    static constexpr size_t kMaxEntries = 4096;

    std::optional<Principal> lookup(const std::string& token);

    store::Store& store_;
    Millis ttl_;
    util::BoundedMap<Entry> cache_;
};

}  // namespace notify::ingest
