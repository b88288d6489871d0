// provider_keys.hpp - the keys a provider type takes, each declared once with
// whether it holds a secret.
//
// Each adapter file declares its type's list (`keys`, beside make and validate;
// see registry.cpp). Settings::parse refuses keys outside it, Settings::secret
// reads only keys declared secret, and `notifyctl config show` and every
// message show a secret key's value as "********" (or its "env:NAME" /
// "file:/path" reference). A table under a secret key (webhook `headers`) has
// every value masked.
#pragma once

#include <string>
#include <vector>

namespace notify::channels {

struct ProviderKey {
    const char* name;
    bool secret = false;
};

inline constexpr bool kSecret = true;

using ProviderKeys = std::vector<ProviderKey>;

// Whether `key` is declared in `keys` as a secret.
inline bool is_secret(const ProviderKeys& keys, const std::string& key) {
    for (const auto& k : keys)
        if (key == k.name) return k.secret;
    return false;
}

}  // namespace notify::channels
