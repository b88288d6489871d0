// curve_key.hpp - the keys of ZeroMQ's CURVE mechanism (RFC 26), which
// encrypts and authenticates the link between the router and its workers:
// Curve25519 (X25519) key pairs, each key 32 bytes written as 40 characters
// of Z85 (util/z85.hpp), as libzmq reads them. Made with OpenSSL, so that
// notifyctl makes keys without loading libzmq.
//
// Errors: invalid_key (kind invalid) for a secret key that is not 40 Z85
// characters (util::is_z85_key);
// crypto_failed (kind internal) when OpenSSL fails where it should not.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::crypto {

struct CurveKeyPair {
    std::string public_key;  // Z85
    std::string secret_key;  // Z85
};

// A fresh key pair from OpenSSL's random generator.
Expected<CurveKeyPair> generate_curve_keys();
// The public key of a secret key, both Z85.
Expected<std::string> curve_public_key(std::string_view secret_key);

}  // namespace notify::crypto
