// input.hpp - what notifyctl reads from its command line besides flags: text
// or @FILE, '-' for stdin, the --data JSON object, and the enumerated values
// (priority, delivery state) checked locally with a did-you-mean hint.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace notify::cli {

// "@FILE" is the file's contents; anything else is the text itself. A missing
// or unreadable file is a no_input error (exit 66) naming `flag`.
Expected<std::string> text_or_file(const std::string& arg, const std::string& flag);
// All of `in` (for BODY "-").
std::string read_all(std::istream& in);
// --data JSON|@FILE: must be a JSON object (exit 65 otherwise).
Expected<nlohmann::json> data_object(const std::string& arg);
// Text that goes into the request must be UTF-8 (JSON carries nothing else):
// an invalid error (exit 65) "<what> is not valid UTF-8 (byte 0xe9 at offset 3)".
Status utf8_arg(std::string_view text, const std::string& what);
// A priority name (high, medium, low); a usage error with a hint otherwise.
Expected<std::string> priority_arg(const std::string& text, const std::string& flag);
// A delivery state name (queued, sent, failed, ...); a usage error otherwise.
Expected<std::string> state_arg(const std::string& text, const std::string& flag);
// A time as users write it (RFC 3339, now+10m, "YYYY-MM-DD HH:MM" in `tz`),
// as RFC 3339 UTC.
Expected<std::string> time_arg(const std::string& text, const std::string& tz,
                               const std::string& flag);

}  // namespace notify::cli
