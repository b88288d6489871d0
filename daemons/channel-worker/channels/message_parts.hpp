// message_parts.hpp - a message sent as consecutive requests of one attempt:
// the parts of a split text (message_limits.hpp), each sent once the vendor
// accepted the one before.
//
// The adapter says how to build part i's request (when it is sent, so that
// timestamps, signatures and tokens are fresh) and what a reply means. The
// attempt is sent when the last part is, with the first part's message id and
// the fit detail ("parts=3"); a part that fails ends it with the fit detail
// and how many parts went out before ("parts=3 sent_parts=1/3"). A part
// refused for its access token may hand the attempt to the adapter instead,
// which sends again later from that part (TokenAdapter::send_parts).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "channels/adapter.hpp"
#include "channels/vendor_http.hpp"

namespace notify::channels {

// How far a message got: the next part to send and the first part's message id.
struct PartsProgress {
    size_t next = 0;
    std::string first_id;
};

// What one part's reply says: sent (with the vendor's message id) or failed;
// `token_refused` when it failed because the access token was refused.
struct PartReply {
    PartReply(Attempt a, bool refused = false) : attempt(std::move(a)), token_refused(refused) {}
    Attempt attempt;
    bool token_refused = false;
};

struct MessageParts {
    size_t count = 1;
    std::string detail;  // FittedText::detail (and any other facts of the message)
    Millis timeout = 0;
    // Part `index`'s request, or why it cannot be sent.
    std::function<Expected<HttpRequest>(size_t index)> request;
    std::function<PartReply(const HttpReply&)> read;
    // Called for a part whose token was refused (`at` is that part); unset: the
    // refusal ends the attempt like any failure.
    std::function<Started(const Attempt& failure, const PartsProgress& at)> refused;
};

// A message's request bodies, one per part, and what the attempt records.
struct PartBodies {
    std::vector<std::string> bodies;
    std::string detail;  // FittedText::detail, and any other facts of the message
};

// Parts that differ only in their body: a POST of each of `message.bodies`
// to `url` with `headers` (the adapter adds timeout and read).
MessageParts posts(std::string url, std::vector<std::string> headers, PartBodies message);

// Sends the parts from `from` on.
Started send_parts(std::shared_ptr<const MessageParts> parts, PartsProgress from = {});
inline Started send_parts(MessageParts parts) {
    return send_parts(std::make_shared<const MessageParts>(std::move(parts)));
}

// `detail` with `fact` added, space-separated.
void add_detail(std::string& detail, const std::string& fact);

}  // namespace notify::channels
