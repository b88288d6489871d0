// aes_gcm.hpp - AES in GCM mode with a 12-byte nonce and the 16-byte tag after
// the ciphertext, the one authenticated cipher of the project: Web Push's
// aes128gcm records (web_push.hpp) and one-time codes sealed in the store
// (one_time_code.hpp). The key's length picks AES-128 (16 bytes) or AES-256
// (32 bytes).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::crypto {

constexpr std::size_t kGcmNonceBytes = 12;
constexpr std::size_t kGcmTagBytes = 16;

// ciphertext || tag; internal "crypto_failed" for a key or nonce of another length.
Expected<std::string> aes_gcm_seal(std::string_view key, std::string_view nonce,
                                   std::string_view plaintext);
// The plaintext of ciphertext || tag; invalid "bad_seal" when the tag does not
// match (another key or nonce, or altered) or `sealed` is shorter than a tag.
Expected<std::string> aes_gcm_open(std::string_view key, std::string_view nonce,
                                   std::string_view sealed);

}  // namespace notify::crypto
