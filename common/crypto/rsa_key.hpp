// rsa_key.hpp - an RSA private key and RS256 signatures (RSASSA-PKCS1-v1_5
// with SHA-256, RFC 7518 §3.3): what the OAuth2 grant of a Google service
// account (FCM HTTP v1) is signed with.
//
// A key comes from PEM text: PKCS#8 "BEGIN PRIVATE KEY" (a service-account
// JSON's private_key, once its "\n" escapes are read as newlines) or PKCS#1
// "BEGIN RSA PRIVATE KEY". Keys under 2048 bits are refused, as RFC 7518 §3.3
// requires. RS256 is deterministic: one key and message give one signature.
//
// Errors (kind invalid unless said); no message quotes key material:
//   invalid_pem, encrypted_key   see private_key_pem.hpp
//   wrong_key_type   the PEM holds an EC or another kind of key
//   weak_key         the modulus is under 2048 bits
//   crypto_failed    OpenSSL failed where it should not (kind internal)
//
// An RsaKey is movable, not copyable; a moved-from key may only be assigned to
// or destroyed.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::crypto {

constexpr int kMinRsaBits = 2048;

class RsaKey {
  public:
    static Expected<RsaKey> from_pem(std::string_view pem);

    RsaKey(RsaKey&& other) noexcept;
    RsaKey& operator=(RsaKey&& other) noexcept;
    RsaKey(const RsaKey&) = delete;
    RsaKey& operator=(const RsaKey&) = delete;
    ~RsaKey();

    // The size of the modulus; a signature is bits() / 8 bytes.
    int bits() const;
    // RS256 over `message`: the signature, bits() / 8 bytes.
    Expected<std::string> sign_rs256(std::string_view message) const;

  private:
    explicit RsaKey(EVP_PKEY* key) noexcept : key_(key) {}

    EVP_PKEY* key_ = nullptr;
};

}  // namespace notify::crypto
