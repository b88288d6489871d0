// webhook_payload.cpp - the webhook JSON body (built, or the job's rendered
// payload) and its HMAC-SHA256 signature.
#include "channels/webhook_payload.hpp"

#include <nlohmann/json.hpp>

#include "util/crypto.hpp"
#include "util/json_parse.hpp"
#include "util/json_writer.hpp"
#include "util/time.hpp"

namespace notify::channels {

std::string webhook_body(const wire::Job& job) {
    // The template's author chose the receiver's format; ingest checked it is JSON.
    if (!job.payload.empty()) return job.payload;
    std::string out;
    out.reserve(256 + job.subject.size() + job.body.size() + job.data_json.size());
    // Invalid UTF-8 in a field is replaced rather than refused: the receiver still
    // gets the notification.
    util::JsonObject o(out);
    o.text("id", job.delivery_id)
        .text("notification_id", job.notification_id)
        .text("channel", job.channel)
        .text_if("to", job.to)
        .text("subject", job.subject)
        .text("body", job.body);
    if (!job.data_json.empty()) {
        // The sender's members in the sender's order, written compact.
        auto data = util::ordered_json_or_discarded(job.data_json);
        if (data.is_discarded())
            o.text("data", job.data_json);
        else
            o.json("data",
                   data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    }
    o.text("priority", to_string(job.priority))
        .text_if("category", job.category)
        .text_if("module", job.module)
        .text_if("user_id", job.user_id)
        .text_if("locale", job.locale)
        .text_if("unsubscribe_url", job.unsubscribe_url)
        .text("created_at", util::format_rfc3339(job.created_at))
        .number("attempt", job.attempt)
        .close();
    return out;
}

std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body) {
    std::string signed_text;
    signed_text.reserve(timestamp.size() + 1 + body.size());
    signed_text.append(timestamp).append(".").append(body);
    return "sha256=" + util::hex(util::hmac_sha256(secret, signed_text));
}

}  // namespace notify::channels
