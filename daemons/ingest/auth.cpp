// auth.cpp - bearer keys, their cache, and scope checks.
#include "auth.hpp"

#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest {

std::optional<Scope> parse_scope(const std::string& text) {
    if (text == "read") return Scope::read;
    if (text == "send") return Scope::send;
    if (text == "admin") return Scope::admin;
    return std::nullopt;
}

const char* to_string(Scope s) {
    switch (s) {
        case Scope::read:
            return "read";
        case Scope::send:
            return "send";
        case Scope::admin:
            return "admin";
    }
    return "admin";
}

bool allows(Scope have, Scope need) {
    return have == Scope::admin || have == need;
}

namespace {

Principal principal_of(const store::ApiKey& key, Scope scope) {
    Principal p{scope, key.name, key.id, {}, {}};
    // Checked when the key was made; a value that does not parse is the default.
    if (!key.limits.rate_limit.empty())
        if (auto cap = parse_key_rate_limit(key.limits.rate_limit)) p.rate_limit = *cap;
    if (key.limits.recipients_per_day >= 0) p.recipients_per_day = key.limits.recipients_per_day;
    return p;
}

}  // namespace

Expected<Principal> KeyCache::authenticate(const std::string& authorization, bool require_key) {
    if (authorization.empty()) {
        if (!require_key)
            return Principal{Scope::admin, kAnonymousPrincipal, kAnonymousPrincipal, {}, {}};
        return make_error(ErrorKind::unauthorized, "unauthorized",
                          "missing API key: send 'Authorization: Bearer <key>' (notifyctl apikey "
                          "create makes one)");
    }
    std::string lower = util::to_lower(authorization.substr(0, 7));
    if (lower != "bearer ")
        return make_error(ErrorKind::unauthorized, "unauthorized",
                          "unsupported authorization scheme: use 'Authorization: Bearer <key>'");
    std::string token = util::trim(authorization.substr(7));
    auto p = lookup(token);
    if (!p)
        return make_error(ErrorKind::unauthorized, "unauthorized", "unknown or revoked API key");
    return *p;
}

std::optional<Principal> KeyCache::lookup(const std::string& token) {
    Millis now = util::steady_ms();
    if (ttl_ > 0) {
        const Entry* known = cache_.find(token);
        if (known && known->until > now) return known->principal;
    }
    std::optional<Principal> found;
    try {
        if (auto key = store_.find_api_key(token)) {
            if (auto scope = parse_scope(key->scope)) found = principal_of(*key, *scope);
        }
    } catch (...) {
        // A store that cannot be read authenticates nobody; nothing is cached.
        return std::nullopt;
    }
    if (ttl_ > 0) {
        cache_.put(token, Entry{found, now + ttl_});
    }
    return found;
}

}  // namespace notify::ingest
