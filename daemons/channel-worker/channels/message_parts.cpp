// message_parts.cpp - the parts of a message sent one after another in one attempt.
#include "channels/message_parts.hpp"

#include <algorithm>

namespace notify::channels {

namespace {

// The attempt's end at part `at` (it failed there, or the last part was sent);
// `requests`: how many of its requests went to the vendor.
Attempt ended(const MessageParts& parts, size_t at, Attempt done, size_t requests) {
    done.detail = parts.detail;
    done.parts = static_cast<int>(std::max<size_t>(1, requests));
    if (done.outcome != wire::Outcome::sent && parts.count > 1)
        add_detail(done.detail,
                   "sent_parts=" + std::to_string(at) + "/" + std::to_string(parts.count));
    return done;
}

}  // namespace

void add_detail(std::string& detail, const std::string& fact) {
    if (fact.empty()) return;
    detail += (detail.empty() ? "" : " ") + fact;
}

MessageParts posts(std::string url, std::vector<std::string> headers, PartBodies message) {
    MessageParts parts;
    parts.count = message.bodies.size();
    parts.detail = std::move(message.detail);
    parts.request = [url = std::move(url), headers = std::move(headers),
                     bodies = std::move(message.bodies)](size_t i) -> Expected<HttpRequest> {
        return HttpRequest{"POST", url, headers, bodies[i]};
    };
    return parts;
}

Started send_parts(std::shared_ptr<const MessageParts> parts, PartsProgress from) {
    auto request = parts->request(from.next);
    if (!request)
        return ended(*parts, from.next,
                     Attempt::permanent(request.error().code, request.error().message), from.next);
    auto on_reply = [parts, from](const HttpReply& reply) -> Started {
        PartReply read = parts->read(reply);
        Attempt& done = read.attempt;
        if (done.outcome == wire::Outcome::sent) {
            PartsProgress next = from;
            if (next.next == 0) next.first_id = done.provider_message_id;
            if (++next.next < parts->count) return send_parts(parts, std::move(next));
            done.provider_message_id = next.first_id;
            return ended(*parts, from.next, std::move(done), from.next + 1);
        }
        if (read.token_refused && parts->refused) {
            Started again = parts->refused(done, from);
            if (auto* refused = std::get_if<Attempt>(&again))
                return ended(*parts, from.next, std::move(*refused), from.next + 1);
            return again;
        }
        return ended(*parts, from.next, std::move(done), from.next + 1);
    };
    return http_call(parts->timeout, std::move(*request), on_reply);
}

}  // namespace notify::channels
