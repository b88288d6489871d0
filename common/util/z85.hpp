// z85.hpp - Z85 (ZeroMQ RFC 32): binary as printable text, 5 characters for
// each 4 bytes, with neither quotes nor backslashes, so that a key fits in a
// TOML string as it is (a shell needs it in single quotes). ZeroMQ's CURVE
// keys are written so: 32 bytes, 40 characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace notify::util {

// `bytes` must be a multiple of 4 long (empty otherwise).
std::string z85_encode(std::string_view bytes);
// nullopt when `text` is not a multiple of 5 long, holds a character outside
// the alphabet, or a group that overflows 32 bits.
std::optional<std::string> z85_decode(std::string_view text);
// Whether `text` is a 32-byte key as ZeroMQ writes it: 40 characters of Z85.
bool is_z85_key(std::string_view text);

}  // namespace notify::util
