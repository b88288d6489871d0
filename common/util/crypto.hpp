// crypto.hpp - digests, MACs and encodings used for API keys, idempotency and
// provider signatures (OpenSSL underneath).
#pragma once

#include <string>
#include <string_view>

namespace notify::util {

std::string sha256(std::string_view data);                             // raw 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hmac_sha1(std::string_view key, std::string_view data);    // raw 20 bytes
std::string hex(std::string_view bytes);                               // lowercase
std::string base64(std::string_view bytes);
std::string base64url(std::string_view bytes);  // no padding
std::string random_bytes(size_t n);
// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace notify::util
