// wecom_app.cpp - what notify knows of the `wecom-app` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/wecom_app.cpp.
#include "providers/types.hpp"

namespace notify::providers::wecom_app {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {
    {"endpoint"}, {"corp_id"}, {"corp_secret", kSecret},     {"agent_id"},
    {"msgtype"},  {"safe"},    {"duplicate_check_interval"}, {"overflow"},
    {"timeout"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "wecom-app",
    .summary = "a WeCom (企业微信) application message",
    .keys = keys,
};

}  // namespace notify::providers::wecom_app
