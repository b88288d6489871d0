// auth.hpp - API keys over HTTP: "Authorization: Bearer nk_<id>_<secret>",
// checked with Store::find_api_key and cached for a few seconds so the hot path
// does not reach SQLite on every request (a revoked key stops working within the
// cache's lifetime). Scopes: "read" may GET, "send" may POST notifications,
// batches, cancel and resend, "admin" may do everything.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "store/store.hpp"
#include "util/error.hpp"

namespace notify::ingest {

enum class Scope { read, send, admin };

std::optional<Scope> parse_scope(const std::string& text);
const char* to_string(Scope s);
// Whether a key of scope `have` may do what needs `need`.
bool allows(Scope have, Scope need);

struct Principal {
    Scope scope = Scope::admin;
    std::string name;  // the key's name; "cli" for the ipc socket, "http" without a key
};

constexpr Millis kKeyCacheTtl = 5000;

class KeyCache {
  public:
    KeyCache(store::Store& store, Millis ttl = kKeyCacheTtl) : store_(store), ttl_(ttl) {}

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
    std::unordered_map<std::string, Entry> cache_;
};

}  // namespace notify::ingest
