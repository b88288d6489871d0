// vapid.hpp - VAPID (RFC 8292): how an application server identifies itself to
// a push service, by the Authorization header of each Web Push request:
//   Authorization: vapid t=<JWT>, k=<base64url of the 65-byte public point>
// The JWT is ES256 with the header {"typ":"JWT","alg":"ES256"} and the claims
// {"aud":"<origin>","exp":<seconds>,"sub":"<subject>"} in that order, where the
// origin is the endpoint's scheme://host[:port] (RFC 6454: lowercase, no path,
// no user, no port when it is the scheme's default).
//
// Push services refuse an exp more than 24 hours ahead of the request (RFC
// 8292 §2); choosing exp is the caller's (now + 12 h is usual; the header may
// be reused until close to exp, per origin).
//
// Errors (kind invalid unless said):
//   invalid_endpoint   an endpoint that is not an http(s) URL with a host
//   invalid_subject    a subject that is not a mailto: or https: URI (RFC 8292
//                      §2.1 says SHOULD; Apple's push service refuses others)
//   and the signing errors of p256_key.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::crypto {

class P256Key;

// The origin of a push endpoint: "https://push.example.net",
// "http://127.0.0.1:8080".
Expected<std::string> web_push_origin(std::string_view endpoint_url);

// The value of the Authorization header for a request to `endpoint_url`, with
// the token expiring at `expires` (seconds since the Unix epoch).
Expected<std::string> vapid_authorization(const P256Key& key, std::string_view endpoint_url,
                                          std::string_view subject, std::int64_t expires);

}  // namespace notify::crypto
