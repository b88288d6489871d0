// json_parse.hpp - the one way JSON from outside is read: bounded in size and
// nesting depth, so that no input can make later code (copies, dump(), the
// template renderer) recurse deep enough to overflow a stack.
//
// Every JSON the service parses goes through here: HTTP request bodies,
// imports, vendors' answers, notifyctl's --data and template data. The ZeroMQ
// frames between the programs are flat objects, read first by flat_json.hpp
// (bounded as here, one level deep) and only otherwise by this parser. The parse is
// nlohmann::json's iterative SAX parser with a depth counter: one pass over the text, no copy of
// it. Only when the text is refused is it read again, to name the field at fault.
//
// Errors (kind invalid unless said):
//   too_large            the text is over max_bytes (kind too_large)
//   too_deep             arrays and objects nest deeper than max_depth; the
//                        field is the path to the outermost member that does
//                        ("data", "notifications[2].data")
//   number_out_of_range  a number too large for a double (1e400); names the field
//   invalid_utf8         a string that is not UTF-8; names the field
//   malformed_json       any other syntax error, with its byte offset
// Messages quote no input longer than log::clip() allows, so they are safe to
// log and to answer with.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::util {

// Deep enough for any real document; shallow enough that a recursive walk of
// the result takes a few kilobytes of stack.
inline constexpr size_t kMaxJsonDepth = 64;
// Larger than any request body or frame the service makes; callers with a
// tighter limit (ingest.max_body_bytes) pass it.
inline constexpr size_t kMaxJsonBytes = 16u << 20;

struct JsonLimits {
    size_t max_depth = kMaxJsonDepth;
    size_t max_bytes = kMaxJsonBytes;
    // Names the text in messages: "the body", "--data", "the job".
    std::string_view what = "the JSON";
};

Expected<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits = {});
Expected<nlohmann::ordered_json> parse_ordered_json(std::string_view text,
                                                    const JsonLimits& limits = {});

// For callers that only need "usable or not": the value, or a discarded value
// (is_discarded()) for text that parse_json refuses.
nlohmann::json json_or_discarded(std::string_view text);
nlohmann::ordered_json ordered_json_or_discarded(std::string_view text);

}  // namespace notify::util
