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
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "config.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

class TemplateRenderer;

struct RequestContext {
    const Config* config = nullptr;
    Millis now = 0;
    std::string source;                     // the API key's name, "cli" or "http"
    TemplateRenderer* templates = nullptr;  // none: a request naming a template is refused
};

// The body as JSON; 400 "malformed_json" with the parser's position otherwise,
// or "invalid_utf8" naming the field whose string is not valid UTF-8.
Expected<nlohmann::json> parse_body(const std::string& text);

// Checks one notification object and builds its store record (new id, deliveries,
// request hash). `field_prefix` is prepended to field names in errors, e.g.
// "notifications[2]." for an item of a batch.
Expected<store::Accepted> build_notification(const nlohmann::json& item, const RequestContext& ctx,
                                             const std::string& field_prefix = {});

// Hex SHA-256 of the canonical JSON (keys sorted, no whitespace) of the request
// without its idempotency_key: equal bodies give equal hashes in any key order.
std::string request_hash(const nlohmann::json& item);

}  // namespace notify::ingest
