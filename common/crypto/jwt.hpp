// jwt.hpp - compact JWS (RFC 7515 §7.1), the form of every JWT the push
// providers take:
//   base64url(header) "." base64url(claims) "." base64url(signature)
// signed with ES256 (APNs provider tokens, VAPID) or RS256 (the OAuth2 grant of
// a Google service account for FCM). base64url is without padding.
//
// The caller serializes the header and the claims, as compact JSON objects, so
// the members and their order are the caller's: they are used byte for byte.
// Both are checked to be JSON objects, and the header's "alg" to name the
// algorithm it is signed with (an APNs token whose header says RS256 would
// only come back as InvalidProviderToken).
//
// split_jws() and verify_jwt_es256() read a token back, for tests, the mock
// providers, and checking that a configured key pair matches.
//
// Errors (kind invalid unless said):
//   invalid_jwt   a header or claims that are not JSON objects, a header whose
//                 "alg" is not the algorithm; a token that is not three
//                 base64url parts joined by '.'
//   and the signing or verification errors of p256_key.hpp and rsa_key.hpp.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::crypto {

class P256Key;
class RsaKey;

Expected<std::string> jwt_es256(std::string_view header_json, std::string_view claims_json,
                                const P256Key& key);
Expected<std::string> jwt_rs256(std::string_view header_json, std::string_view claims_json,
                                const RsaKey& key);

// A compact JWS taken apart; the parts are decoded, not checked.
struct Jws {
    std::string header_json;
    std::string claims_json;
    std::string signature;      // raw bytes
    std::string signing_input;  // base64url(header) "." base64url(claims), as in the token
};
Expected<Jws> split_jws(std::string_view token);

// Whether `token` is an ES256 JWS (header "alg":"ES256") whose signature
// verifies under `public_point` (65-byte uncompressed P-256 point).
Status verify_jwt_es256(std::string_view token, std::string_view public_point);

}  // namespace notify::crypto
