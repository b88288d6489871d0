// webhook_payload.hpp - what the webhook adapter sends: the JSON body and the
// signature receivers verify. Pure functions.
//
// Body: {"id", "notification_id", "channel", "to"?, "subject", "body", "data"?,
//        "priority", "category"?, "module"?, "user_id"?, "locale"?,
//        "unsubscribe_url"?, "created_at", "attempt"}    ("?": left out when empty)
// or, when the job carries a payload (a webhook body rendered from the
// template's "payload" parameter), that payload byte for byte.
// Signature header: X-Notify-Signature: sha256=<hex HMAC-SHA256(secret, "<ts>.<body>")>
// where <ts> is the X-Notify-Timestamp header (Unix seconds) and <body> the raw body.
#pragma once

#include <string>
#include <string_view>

#include "wire.hpp"

namespace notify::channels {

std::string webhook_body(const wire::Job& job);
std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body);

}  // namespace notify::channels
