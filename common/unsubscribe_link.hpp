// unsubscribe_link.hpp - signed one-click unsubscribe links (RFC 8058).
//
// The router puts a link in every job for a category that may be opted out of;
// the worker writes it into List-Unsubscribe; ingest serves it and records the
// unsubscribe. The token names the user (or the raw address and its channel) and
// the category, and carries an HMAC-SHA256 over them with the store's secret, so
// a link cannot be forged or altered to unsubscribe someone else.
#pragma once

#include <optional>
#include <string>

#include "config.hpp"
#include "util/error.hpp"

namespace notify::store {
class Store;
}

namespace notify {

struct UnsubscribeTarget {
    std::string user_id;  // a directory user, or ""
    std::string channel;  // with `address` for a raw address
    std::string address;
    std::string category;  // "" unsubscribes from every category that allows it
};

// preferences.unsubscribe_secret (resolved as a secret reference), else the one
// kept in the store's settings, made on first use.
Expected<std::string> unsubscribe_secret(const Config& config, store::Store& store);

// The token alone, and the link: preferences.unsubscribe_url + "/" + token.
std::string unsubscribe_token(const std::string& secret, const UnsubscribeTarget& target);
std::string unsubscribe_url(const Config& config, const std::string& secret,
                            const UnsubscribeTarget& target);
// The target of a token whose signature checks out; nullopt otherwise.
std::optional<UnsubscribeTarget> verify_unsubscribe_token(const std::string& secret,
                                                          const std::string& token);

}  // namespace notify
