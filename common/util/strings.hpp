// strings.hpp - small text helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace notify::util {

std::vector<std::string> split(std::string_view text, char sep);
std::string trim(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool starts_with(std::string_view text, std::string_view prefix);
// Non-empty and nothing but the ASCII digits 0-9.
bool all_digits(std::string_view text);
// Non-empty and nothing but ASCII letters, digits and the characters of `extra`.
bool all_alnum(std::string_view text, std::string_view extra = {});
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);
// The candidate closest to `word` by edit distance, or "" when none is close:
// used for "unknown channel 'emial', did you mean 'email'?".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
// ", did you mean 'x'?" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);
// The offset of the first byte that is not part of well-formed UTF-8 (no
// overlongs, surrogates or code points past U+10FFFF), or npos when all is.
size_t invalid_utf8_at(std::string_view text);
// `text` cut to at most `max` bytes without splitting a UTF-8 character.
std::string cut_utf8(std::string_view text, size_t max);
// A whole number written in decimal digits alone, from `min` to `max`;
// nothing for anything else (a sign, a space, a fraction, too many digits).
std::optional<std::int64_t> parse_whole(std::string_view text, std::int64_t min, std::int64_t max);
// The same for a named input, with the error it gets otherwise: invalid,
// `code`, "'NAME' must be a whole number from MIN to MAX, not 'TEXT'", field NAME.
Expected<std::int64_t> parse_whole(std::string_view text, std::int64_t min, std::int64_t max,
                                   const std::string& name, const std::string& code);
// Reads a whole file; false when it cannot be opened.
bool read_file(const std::string& path, std::string& out);

}  // namespace notify::util
