// dingtalk_sign.hpp - the DingTalk custom robot's 加签 signature: HMAC-SHA256
// keyed with the robot's "SEC..." secret over "<timestamp ms>\n<secret>",
// base64, then URL-encoded for the `sign` query parameter.
#pragma once

#include <string>
#include <string_view>

#include "util/time.hpp"

namespace notify::channels {

// The URL-encoded `sign` for `timestamp_ms` (milliseconds since the epoch).
std::string dingtalk_robot_sign(std::string_view secret, util::Millis timestamp_ms);

}  // namespace notify::channels
