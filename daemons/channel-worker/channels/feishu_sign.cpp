// feishu_sign.cpp - the Feishu / Lark custom bot signature (see feishu_sign.hpp).
#include "channels/feishu_sign.hpp"

#include "util/crypto.hpp"

namespace notify::channels {

std::string feishu_sign(std::string_view secret, long long timestamp_seconds) {
    std::string key = std::to_string(timestamp_seconds);
    key += '\n';
    key += secret;
    return util::base64(util::hmac_sha256(key, std::string_view()));
}

}  // namespace notify::channels
