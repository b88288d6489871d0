// request.hpp - one notification request, checked field by field and turned into
// what the store accepts: the notification, one delivery per recipient, and the
// hash that idempotency compares. Nothing here touches the store or a socket.
//
// Fields (the names of `notifyctl send`): channel (required), to, subject, body,
// html, data, locale, priority, send_at, expires_at, expires_in, category,
// module, idempotency_key, and template (with data and locale) instead of
// subject, body and html.
// expires_in counts from send_at when that is given and in the future, else
// from acceptance.
//
// Recipients in "to" are addresses for the channel, "user:ID" or "group:NAME".
// Users and groups must exist in the directory (422 "unknown_recipient"). A send
// naming any of them, or one that needs approval (more recipients than
// bulk.approval_threshold, or a group that requires approval), becomes a
// fan-out: the notification with Accepted::fanout and no deliveries, which the
// router expands. Its template is checked here against the request's data plus
// a "user" object: the first named user's record, or, for groups only, any
// "user." name may stay unfilled.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "accept/recipients.hpp"  // names_directory
#include "config.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace notify::store {
class DirectoryStore;
}

namespace notify::accept {

class TemplateRenderer;

struct RequestContext {
    const Config* config = nullptr;
    Millis now = 0;
    std::string source;                     // the API key's name, "local" or "http"
    TemplateRenderer* templates = nullptr;  // none: a request naming a template is refused
    // Where user:ID and group:NAME are looked up; none: such recipients are refused.
    store::DirectoryStore* directory = nullptr;
    std::string api_key_id{};  // the key that owns what is sent (Principal::id)
};

// The body as JSON, at most util::kMaxJsonDepth deep; 400 "malformed_json" with
// the parser's position otherwise, "too_deep" or "number_out_of_range" naming the field,
// or "invalid_utf8" naming the field whose string is not valid UTF-8.
Expected<nlohmann::json> parse_body(const std::string& text);
// 413 "too_large" (field "body") for a body of more than `max_bytes`
// (ingest.max_body_bytes); every route of the HTTP server checks it.
Status check_body_size(size_t bytes, long max_bytes);
// parse_body for a body of at most `max_bytes` (ingest.max_body_bytes); a
// larger one is refused whole: 413 "too_large".
Expected<nlohmann::json> parse_sized_body(const std::string& text, long max_bytes);

// Checks one notification object and builds its store record (new id, deliveries,
// request hash). `field_prefix` is prepended to field names in errors, e.g.
// "notifications[2]." for an item of a batch.
Expected<store::Accepted> build_notification(const nlohmann::json& item, const RequestContext& ctx,
                                             const std::string& field_prefix = {});

// Hex SHA-256 of the canonical JSON (keys sorted, no whitespace) of the request
// without its idempotency_key: equal bodies give equal hashes in any key order.
std::string request_hash(const nlohmann::json& item);

}  // namespace notify::accept
