// wechat_template.cpp - what notify knows of the `wechat-template` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/wechat_template.cpp.
#include "providers/types.hpp"

namespace notify::providers::wechat_template {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"}, {"app_id"},    {"app_secret", kSecret},
                                  {"message"},  {"templates"}, {"timeout"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "wechat-template",
    .summary = "WeChat Official Account template and subscribe messages",
    .keys = keys,
    .vendor_templates = true,
};

}  // namespace notify::providers::wechat_template
