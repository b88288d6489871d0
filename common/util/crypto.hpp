// crypto.hpp - digests, MACs and encodings used for API keys, idempotency and
// provider signatures (OpenSSL underneath). Keys, signatures and encryption
// for the push providers are in common/crypto/.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::util {

std::string sha256(std::string_view data);                             // raw 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hmac_sha1(std::string_view key, std::string_view data);    // raw 20 bytes
std::string hex(std::string_view bytes);                               // lowercase
std::string base64(std::string_view bytes);
std::string base64url(std::string_view bytes);  // no padding
// Base64url text to bytes, with or without its '=' padding. Refuses (invalid,
// "invalid_base64url") any character outside A-Z a-z 0-9 - _, padding anywhere
// but at the end or more than the length needs, and a length no encoding has
// (4n+1). The message names the offset at fault, never the text.
Expected<std::string> base64url_decode(std::string_view text);
std::string random_bytes(size_t n);
// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace notify::util
