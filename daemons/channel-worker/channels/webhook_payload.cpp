// webhook_payload.cpp - the webhook JSON body (built, or the job's rendered
// payload) and its HMAC-SHA256 signature.
#include "channels/webhook_payload.hpp"

#include <nlohmann/json.hpp>

#include "util/crypto.hpp"
#include "util/json_parse.hpp"
#include "util/time.hpp"

namespace notify::channels {

std::string webhook_body(const wire::Job& job) {
    // The template's author chose the receiver's format; ingest checked it is JSON.
    if (!job.payload.empty()) return job.payload;
    nlohmann::ordered_json j;
    j["id"] = job.delivery_id;
    j["notification_id"] = job.notification_id;
    j["channel"] = job.channel;
    if (!job.to.empty()) j["to"] = job.to;
    j["subject"] = job.subject;
    j["body"] = job.body;
    if (!job.data_json.empty()) {
        auto data = util::ordered_json_or_discarded(job.data_json);
        j["data"] = data.is_discarded() ? nlohmann::ordered_json(job.data_json) : data;
    }
    j["priority"] = to_string(job.priority);
    if (!job.category.empty()) j["category"] = job.category;
    if (!job.module.empty()) j["module"] = job.module;
    if (!job.user_id.empty()) j["user_id"] = job.user_id;
    if (!job.locale.empty()) j["locale"] = job.locale;
    if (!job.unsubscribe_url.empty()) j["unsubscribe_url"] = job.unsubscribe_url;
    j["created_at"] = util::format_rfc3339(job.created_at);
    j["attempt"] = job.attempt;
    // Invalid UTF-8 in a field is replaced rather than refused: the receiver still
    // gets the notification.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body) {
    std::string signed_text;
    signed_text.reserve(timestamp.size() + 1 + body.size());
    signed_text.append(timestamp).append(".").append(body);
    return "sha256=" + util::hex(util::hmac_sha256(secret, signed_text));
}

}  // namespace notify::channels
