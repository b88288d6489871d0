// push_payload.hpp - what the push adapters (apns, fcm, webpush, jpush) read
// from a job alike: the data's `collapse_id` (a later message with the same id
// replaces an earlier one the device has not shown), the seconds left before
// the notification expires (the vendor's TTL), and a body cut to the vendor's
// payload limit.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "util/error.hpp"
#include "wire.hpp"

namespace notify::channels {

// The string `collapse_id` of the job's data, or "".
std::string collapse_id_of(const wire::Job& job);

// Whole seconds from `now` until the job expires, at least 0; -1 when it never does.
long long seconds_left(const wire::Job& job, Millis now);

// build(body) when it is at most `limit` bytes, else build() of the body cut
// at a character boundary, with an ellipsis, so that it fits. An error
// (invalid, "payload_too_large") when even an empty body is over.
Expected<std::string> fit_payload(std::string_view body, size_t limit,
                                  const std::function<std::string(std::string_view)>& build);

}  // namespace notify::channels
