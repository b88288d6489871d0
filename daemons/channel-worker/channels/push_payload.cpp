// push_payload.cpp - see push_payload.hpp.
#include "channels/push_payload.hpp"

#include <nlohmann/json.hpp>

#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::channels {

std::string collapse_id_of(const wire::Job& job) {
    if (job.data_json.empty()) return "";
    auto data = util::json_or_discarded(job.data_json);
    if (!data.is_object()) return "";
    auto it = data.find("collapse_id");
    return it != data.end() && it->is_string() ? it->get<std::string>() : "";
}

long long seconds_left(const wire::Job& job, Millis now) {
    if (job.expires_at <= 0) return -1;
    return job.expires_at > now ? (job.expires_at - now) / 1000 : 0;
}

Expected<std::string> fit_payload(std::string_view body, size_t limit,
                                  const std::function<std::string(std::string_view)>& build) {
    std::string out = build(body);
    if (out.size() <= limit) return out;
    const std::string ellipsis = "\xE2\x80\xA6";
    size_t keep = body.size();
    // Escaping may make the payload grow more than the text: cut again until it fits.
    while (out.size() > limit && keep > 0) {
        size_t over = out.size() - limit + ellipsis.size();
        keep = keep > over ? keep - over : 0;
        out = build(util::cut_utf8(body, keep) + ellipsis);
    }
    if (out.size() > limit)
        return make_error(ErrorKind::invalid, "payload_too_large",
                          "the message is over the vendor's " + std::to_string(limit) +
                              " bytes even without its body");
    return out;
}

}  // namespace notify::channels
