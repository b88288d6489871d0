// payloads.cpp - request bodies and the batch reply count.
#include "payloads.hpp"

#include <nlohmann/json.hpp>

namespace notify::bench {

std::string notification_json(const std::string& channel, const std::string& priority, long seq,
                              const std::string& to) {
    std::string out;
    out.reserve(128 + to.size());
    out.append("{\"channel\":\"").append(channel);
    if (!to.empty()) out.append("\",\"to\":\"").append(to);
    out.append("\",\"subject\":\"s\",\"body\":\"b\",\"priority\":\"").append(priority);
    out.append("\",\"data\":{\"seq\":").append(std::to_string(seq)).append("}}");
    return out;
}

std::string inbox_notification_json(const std::string& channel, const std::string& user, long seq,
                                    std::int64_t t) {
    std::string out;
    out.reserve(160);
    out.append("{\"channel\":\"").append(channel).append("\",\"to\":\"user:").append(user);
    out.append("\",\"subject\":\"s\",\"body\":\"b\",\"data\":{\"seq\":");
    out.append(std::to_string(seq)).append(",\"t\":").append(std::to_string(t)).append("}}");
    return out;
}

std::string otp_send_json(const std::string& channel, const std::string& to) {
    std::string out;
    out.reserve(112);
    out.append("{\"to\":\"").append(to).append("\",\"channel\":\"").append(channel);
    out.append("\",\"data\":{\"service\":\"bench\",\"sender\":\"bench\"}}");
    return out;
}

std::string otp_verify_json(const std::string& to, const std::string& code) {
    return "{\"to\":\"" + to + "\",\"code\":\"" + code + "\"}";
}

std::string batch_json(const std::string& channel, const std::string& priority, long first_seq,
                       int size) {
    return batch_json(first_seq, size,
                      [&](long seq) { return notification_json(channel, priority, seq); });
}

std::string batch_json(long first_seq, int size,
                       const std::function<std::string(long seq)>& notification) {
    std::string out = "{\"notifications\":[";
    for (int i = 0; i < size; ++i) {
        if (i) out += ',';
        out += notification(first_seq + i);
    }
    out += "]}";
    return out;
}

std::string zmq_request_frame(const std::string& notification) {
    return "{\"method\":\"POST\",\"path\":\"/v1/notifications\",\"query\":{},\"body\":" +
           notification + "}";
}

std::string reply_id(const std::string& reply_body) {
    auto j = nlohmann::json::parse(reply_body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return {};
    auto id = j.find("id");
    return id != j.end() && id->is_string() ? id->get<std::string>() : std::string();
}

long count_batch_accepted(const std::string& reply_body) {
    auto j = nlohmann::json::parse(reply_body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return -1;
    auto list = j.find("notifications");
    if (list == j.end() || !list->is_array()) return -1;
    long n = 0;
    for (const auto& item : *list)
        if (item.is_object() && item.contains("id")) ++n;
    return n;
}

}  // namespace notify::bench
