// request_body.cpp - a request's body read as JSON through the bounded parser
// (util/json_parse.hpp): refused whole when it is over ingest.max_body_bytes or
// nests deeper than util::kMaxJsonDepth, and on a parse error an answer that
// says where (the byte, or the field at fault). See request.hpp.
#include <nlohmann/json.hpp>

#include "accept/request.hpp"
#include "util/json_parse.hpp"

namespace notify::accept {

Expected<nlohmann::json> parse_body(const std::string& text) {
    return util::parse_json(text, {.what = "the body"});
}

Status check_body_size(size_t bytes, long max_bytes) {
    if (static_cast<long>(bytes) > max_bytes)
        return make_error(ErrorKind::too_large, "too_large",
                          "request body of " + std::to_string(bytes) +
                              " bytes is over the limit of " + std::to_string(max_bytes) +
                              " (ingest.max_body_bytes)",
                          "body");
    return ok();
}

Expected<nlohmann::json> parse_sized_body(const std::string& text, long max_bytes) {
    if (auto st = check_body_size(text.size(), max_bytes); !st) return st.error();
    return parse_body(text);
}

}  // namespace notify::accept
