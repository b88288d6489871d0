// dingtalk_work_notice.cpp - what notify knows of the `dingtalk-work-notice` provider type: its
// keys and its descriptor (provider_type.hpp). Its adapter, which reads the keys and sends, is
// daemons/channel-worker/channels/dingtalk_work_notice.cpp.
#include "providers/types.hpp"

namespace notify::providers::dingtalk_work_notice {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"}, {"app_key"}, {"app_secret", kSecret},
                                  {"agent_id"}, {"msgtype"}, {"overflow"},
                                  {"timeout"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "dingtalk-work-notice",
    .summary = "a DingTalk corp app's work notification (工作通知)",
    .keys = keys,
};

}  // namespace notify::providers::dingtalk_work_notice
