// dingtalk_sign.cpp - the DingTalk custom robot's signature.
#include "channels/dingtalk_sign.hpp"

#include "channels/vendor_http.hpp"
#include "util/crypto.hpp"

namespace notify::channels {

std::string dingtalk_robot_sign(std::string_view secret, util::Millis timestamp_ms) {
    std::string to_sign = std::to_string(timestamp_ms) + "\n" + std::string(secret);
    return percent_encode(util::base64(util::hmac_sha256(secret, to_sign)));
}

}  // namespace notify::channels
