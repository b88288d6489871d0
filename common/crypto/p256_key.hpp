// p256_key.hpp - an EC P-256 (prime256v1, secp256r1) private key: what APNs
// provider tokens (ES256 with Apple's .p8 key), VAPID (RFC 8292) and Web Push
// encryption (RFC 8291, ECDH) are made with.
//
// A key comes from PEM text (PKCS#8 "BEGIN PRIVATE KEY", as Apple's .p8 files
// are, or SEC1 "BEGIN EC PRIVATE KEY"), from the raw 32-byte private scalar
// (how VAPID private keys are usually written, base64url), or is generated
// fresh. Public keys travel as the 65-byte uncompressed point 0x04 || X || Y
// (a subscription's p256dh, VAPID's k=).
//
// ES256 signatures are in the JWS form of RFC 7518 §3.4: r || s, each
// left-padded to 32 bytes, 64 in all; not the DER that OpenSSL makes.
//
// Errors (kind invalid unless said); no message quotes key material:
//   invalid_pem, encrypted_key   see private_key_pem.hpp
//   wrong_key_type      the PEM holds an RSA key, or EC on another curve
//   invalid_key         a private scalar that is not 32 bytes, or is 0 or not
//                       below the group order
//   invalid_public_key  a point that is not 65 bytes starting 0x04, or is not
//                       on the curve
//   invalid_signature   a signature that is not 64 bytes
//   bad_signature       a signature that does not verify
//   crypto_failed       OpenSSL failed where it should not (kind internal)
//
// A P256Key is movable, not copyable; a moved-from key may only be assigned to
// or destroyed (its operations answer crypto_failed).
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "util/error.hpp"

namespace notify::crypto {

constexpr std::size_t kP256PointBytes = 65;  // 0x04 || X (32) || Y (32)
constexpr std::size_t kP256ScalarBytes = 32;
constexpr std::size_t kEs256SignatureBytes = 64;  // r (32) || s (32)

class P256Key {
  public:
    static Expected<P256Key> from_pem(std::string_view pem);
    // The raw private scalar, big-endian, 32 bytes (decode base64url first).
    static Expected<P256Key> from_private_scalar(std::string_view scalar);
    static Expected<P256Key> generate();

    P256Key(P256Key&& other) noexcept;
    P256Key& operator=(P256Key&& other) noexcept;
    P256Key(const P256Key&) = delete;
    P256Key& operator=(const P256Key&) = delete;
    ~P256Key();

    // The public key as the 65-byte uncompressed point.
    const std::string& public_point() const { return public_point_; }
    // The private scalar, 32 bytes big-endian: secret, handle as such.
    Expected<std::string> private_scalar() const;
    // The key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
    Expected<std::string> pkcs8_pem() const;

    // The ECDH shared secret with a peer's public point: the 32-byte X
    // coordinate of the product. Refuses a point not on the curve.
    Expected<std::string> ecdh(std::string_view peer_point) const;
    // ES256 over `message` (SHA-256, ECDSA), as 64 bytes r || s. Randomized:
    // two signatures of one message differ.
    Expected<std::string> sign_es256(std::string_view message) const;

  private:
    P256Key(EVP_PKEY* key, std::string public_point) noexcept
        : key_(key), public_point_(std::move(public_point)) {}
    static Expected<P256Key> adopt(EVP_PKEY* key);

    EVP_PKEY* key_ = nullptr;
    std::string public_point_;
};

// Whether `signature` (64 bytes r || s) is an ES256 signature of `message`
// under the public key `public_point` (65-byte uncompressed point): ok, or
// bad_signature, invalid_signature or invalid_public_key.
Status verify_es256(std::string_view public_point, std::string_view message,
                    std::string_view signature);

}  // namespace notify::crypto
