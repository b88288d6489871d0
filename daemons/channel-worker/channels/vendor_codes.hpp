// vendor_codes.hpp - what a vendor's own error code means for a delivery.
//
// Most hosted APIs answer HTTP 200 with an error code in the body. Each adapter
// keeps a table of the codes its vendor documents, and this file turns a code
// into an outcome:
//   retryable   rate limited, busy, a transient fault: try again later
//   permanent   bad recipient, content rejected, signature or credentials wrong
//   token       the access token was refused (expired, invalid): refresh it and
//               send once more, then treat as retryable
//   provider    permanent for this provider only (its credentials, balance,
//               signature settings, a recipient it cannot take): the router fails
//               over to another provider of the channel
// A code the table does not list is `fallback` (adapters pass permanent for
// well-documented APIs and retryable where unknown codes are usually transient).
// The vendor's code and message are kept on the Attempt as the delivery's reason.
// DingTalk, WeCom and WeChat answer {"errcode":N,"errmsg":"...",...}:
// read_errcode_reply() reads that form for all of them.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>

#include "channels/adapter.hpp"
#include "channels/vendor_http.hpp"

namespace notify::channels {

enum class CodeClass { retryable, permanent, token, provider };

struct VendorCode {
    std::string_view code;
    CodeClass kind;
};

CodeClass classify_code(std::span<const VendorCode> table, std::string_view code,
                        CodeClass fallback);

// The failed attempt for a code already classified; `token` is retryable here
// (the adapter has already refreshed and tried again once).
Attempt vendor_failure(CodeClass kind, std::string code, std::string message,
                       Millis retry_after = 0);

// The failure for vendor `code`, classified by `table` (unlisted: permanent).
// A retryable one waits as long as the reply's Retry-After says, else `wait`
// (the pause the vendor documents for it).
Attempt code_failure(std::span<const VendorCode> table, const std::string& code,
                     std::string message, const HttpReply& reply, Millis wait = 0);

// A vendor's message made fit for a one-line reason: control characters become
// spaces, at most 300 bytes (cut at a UTF-8 boundary).
std::string vendor_message(std::string_view text);

// A reply of the {"errcode":N,"errmsg":"..."} form.
struct ErrcodeReply {
    bool valid = false;   // a JSON object with an errcode (a number or a string)
    std::string code;     // errcode as text: "0", "40014", "-1"
    std::string message;  // errmsg, made one line
    std::shared_ptr<const nlohmann::json> object;  // the whole reply, when it is an object

    // Another field: a string as it is, an integer as its digits; "" for anything else.
    std::string field(std::string_view key) const;
    // A positive integer field in seconds (expires_in) as milliseconds, else `fallback`.
    Millis seconds(std::string_view key, Millis fallback) const;
};

ErrcodeReply read_errcode_reply(std::string_view body);

// The failure of a reply that lacks the vendor's code (`what`: "errcode"): its
// HTTP status when that is an error, else permanent "bad_reply".
Attempt without_code(const HttpReply& reply, std::string_view what);

}  // namespace notify::channels
