// wecom_robot.cpp - what notify knows of the `wecom-robot` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/wecom_robot.cpp.
#include "providers/types.hpp"

namespace notify::providers::wecom_robot {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {
    {"endpoint"}, {"key", kSecret}, {"msgtype"}, {"overflow"}, {"timeout"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "wecom-robot",
    .summary = "a WeCom (企业微信) group robot",
    .keys = keys,
    .rate_limit = {{20, 60'000}},
    .group_chat = true,
};

}  // namespace notify::providers::wecom_robot
