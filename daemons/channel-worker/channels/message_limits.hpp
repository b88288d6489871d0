// message_limits.hpp - making a text fit a vendor's length limit, the way the
// provider's `overflow` setting says, and never silently:
//   split     send it as several messages, cut at line ends, else spaces, else
//             character boundaries; each part but the last ends where the next
//             begins, nothing is lost (the default)
//   truncate  one message, cut and ended with "…" so the reader sees it was cut
//   reject    the delivery fails (permanent, code "too_long")
// Limits are counted in UTF-8 bytes (DingTalk, WeCom, Feishu), in characters
// (Unicode code points: Slack, Twilio) or in UTF-16 code units (Telegram: a
// character outside the Basic Multilingual Plane, such as most emoji, counts
// 2), as each vendor documents.
// The Attempt's detail records what was done: "parts=3" or "truncated=5000/4096".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "channels/settings.hpp"
#include "util/error.hpp"

namespace notify::channels {

enum class Overflow { split, truncate, reject };
enum class LengthUnit { bytes, characters, utf16 };

struct TextLimit {
    size_t max = 0;  // 0: no limit
    LengthUnit unit = LengthUnit::bytes;
    Overflow overflow = Overflow::split;
};

struct FittedText {
    std::vector<std::string> parts;  // at least one
    std::string detail;              // "" when the text fitted as it was
};

// The provider's `overflow` key ("split", "truncate", "reject"; missing: `fallback`).
Expected<Overflow> read_overflow(const Settings& settings, Overflow fallback = Overflow::split);

size_t text_length(std::string_view text, LengthUnit unit);

// Fits `text` into `limit`; fails (invalid, "too_long") only with Overflow::reject.
Expected<FittedText> fit_text(std::string_view text, const TextLimit& limit);

// The size of `text` once written as a JSON string's contents.
size_t json_escaped_size(std::string_view text);

// fit_text() with `max` counted in bytes after JSON escaping, for vendors that
// count their limit on the JSON they receive ("\n" is two bytes there).
Expected<FittedText> fit_json_text(std::string_view text, size_t max, Overflow overflow);

// The first line of `text`, at most `max` bytes (cut at a character boundary):
// a title made from a text.
std::string first_line(std::string_view text, size_t max);

}  // namespace notify::channels
