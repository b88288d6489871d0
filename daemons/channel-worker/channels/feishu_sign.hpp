// feishu_sign.hpp - the signature of a Feishu / Lark custom bot request.
//
// A bot with signature checking on expects "timestamp" (Unix seconds, as a
// string) and "sign" in the JSON body, where
//   sign = base64(HMAC-SHA256(key = "<timestamp>\n<secret>", message = empty))
// Note the key: it is the string to sign, and the message is empty. (DingTalk's
// robot signs the same string with the secret as the key; Feishu refuses that.)
#pragma once

#include <string>
#include <string_view>

namespace notify::channels {

std::string feishu_sign(std::string_view secret, long long timestamp_seconds);

}  // namespace notify::channels
