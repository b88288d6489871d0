// private_key_pem.hpp - private keys read from and written as PEM text, for
// P256Key and RsaKey (internal to notify_crypto).
//
// read_private_key_pem() takes the first private key block in the text:
//   -----BEGIN PRIVATE KEY-----      PKCS#8, any algorithm (Apple's .p8 files,
//                                    a Google service account's private_key)
//   -----BEGIN EC PRIVATE KEY-----   SEC1 (openssl ecparam -genkey)
//   -----BEGIN RSA PRIVATE KEY-----  PKCS#1 (openssl genrsa, OpenSSL 1.x)
// Text and other blocks around it ("EC PARAMETERS", as `openssl ecparam
// -genkey` writes before the key) are ignored. It never asks for a passphrase: an
// encrypted key is refused with a hint to decrypt it first.
//
// Errors (kind invalid), whose messages quote no part of the text beyond a
// PEM label:
//   invalid_pem    no private key block, a block of another kind (a public
//                  key, a certificate), text over 64 KiB, or a block whose
//                  contents do not decode as a key
//   encrypted_key  the key is protected by a passphrase
#pragma once

#include <string>
#include <string_view>

#include "crypto/openssl_handles.hpp"
#include "util/error.hpp"

namespace notify::crypto::detail {

constexpr std::size_t kMaxPemBytes = 64 * 1024;

Expected<PkeyPtr> read_private_key_pem(std::string_view pem);
// The key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"); fails
// (internal) only when OpenSSL cannot allocate.
Expected<std::string> write_pkcs8_pem(EVP_PKEY* key);

}  // namespace notify::crypto::detail
