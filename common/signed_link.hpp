// signed_link.hpp - tokens that links carry in place of a credential: a list of
// text fields signed with a secret, so that whoever holds the link can act on
// exactly what it names and cannot make a link for anything else. The
// unsubscribe links (unsubscribe_link.hpp) and the open and click tracking
// links (tracking_link.hpp) are made of them, each kind with its own secret.
//
// A token is two unpadded base64url parts joined by '.': the fields as a compact
// JSON array of strings, and the HMAC-SHA256 of that first part under the
// secret. The check recomputes the MAC and compares in constant time before it
// decodes anything.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace notify::store {
class Store;
}

namespace notify {

// The secret named by `configured` (a secret reference, config_secret.hpp) when
// it is set, else the one kept in the store's settings under `setting`, made by
// the first daemon that needs it. `key` names the configuration key in errors.
Expected<std::string> link_secret(const std::string& configured, const char* key,
                                  const char* setting, store::Store& store);

// The longest token verify_link takes.
constexpr std::size_t kMaxLinkToken = 4096;

std::string sign_link(const std::string& secret, const std::vector<std::string>& fields);
// The fields of a token whose signature checks out; nullopt for anything else,
// or for a token longer than kMaxLinkToken bytes.
std::optional<std::vector<std::string>> verify_link(const std::string& secret,
                                                    const std::string& token);

}  // namespace notify
