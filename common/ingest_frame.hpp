// ingest_frame.hpp - the largest request frame notify-ingest takes on
// ingest.listen (ZeroMQ). The body travels inside the JSON frame, escaped, so
// the frame has room for twice ingest.max_body_bytes plus 64 KiB for the rest.
// notify-ingest sets it as the socket's ZMQ_MAXMSGSIZE, where libzmq drops a
// larger frame without a word; notifyctl checks against the same limit before
// sending, so a request too large is refused at once instead of timing out.
#pragma once

#include <cstdint>
#include <string>

#include "util/error.hpp"

namespace notify {

inline std::int64_t ingest_frame_limit(long max_body_bytes) {
    return static_cast<std::int64_t>(max_body_bytes) * 2 + 64 * 1024;
}

// ok(), or 413 "too_large" (field "body") for a frame over the limit.
inline Status check_ingest_frame(std::size_t bytes, long max_body_bytes) {
    std::int64_t limit = ingest_frame_limit(max_body_bytes);
    if (static_cast<std::int64_t>(bytes) > limit)
        return make_error(ErrorKind::too_large, "too_large",
                          "request of " + std::to_string(bytes) + " bytes is over the limit of " +
                              std::to_string(limit) + " (twice ingest.max_body_bytes of " +
                              std::to_string(max_body_bytes) + ", plus 64 KiB)",
                          "body");
    return ok();
}

}  // namespace notify
