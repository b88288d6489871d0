// dingtalk_robot.cpp - what notify knows of the `dingtalk-robot` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/dingtalk_robot.cpp.
#include "providers/types.hpp"

namespace notify::providers::dingtalk_robot {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"}, {"token", kSecret}, {"secret", kSecret},
                                  {"msgtype"},  {"title"},          {"overflow"},
                                  {"timeout"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "dingtalk-robot",
    .summary = "a DingTalk custom group robot (自定义机器人)",
    .keys = keys,
    .rate_limit = {{20, 60'000}},
    .group_chat = true,
};

}  // namespace notify::providers::dingtalk_robot
