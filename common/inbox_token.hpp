// inbox_token.hpp - the tokens end users' browsers and apps hold for their own
// inbox, in place of an API key (as Novu's subscriber hash): the application's
// back end mints one per user (`notifyctl inbox token USER`, or the same HMAC
// in its own language) and hands it to the page, which reads and marks that
// user's inbox and opens its stream with it, and nobody else's.
//
// A token is a signed link (signed_link.hpp) of the fields "inbox", the user's
// id and its expiry in Unix seconds, under the inbox secret.
#pragma once

#include <string>

#include "config.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::store {
class Store;
}

namespace notify {

using util::Millis;

// The inbox secret: inbox.secret (resolved as a secret reference), else the
// one kept in the store's settings under "inbox.secret", made on first use.
Expected<std::string> inbox_secret(const Config& config, store::Store& store);

std::string inbox_token(const std::string& secret, const std::string& user_id, Millis expires_at);

// When `token` is the inbox secret's, for `user_id`, and not expired at
// `now`: its expiry. Else unauthorized: "bad_inbox_token" (not one of ours,
// or another user's) or "inbox_token_expired".
Expected<Millis> check_inbox_token(const std::string& secret, const std::string& token,
                                   const std::string& user_id, Millis now);

}  // namespace notify
