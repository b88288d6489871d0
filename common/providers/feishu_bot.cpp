// feishu_bot.cpp - what notify knows of the `feishu-bot` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/feishu_bot.cpp.
#include "providers/types.hpp"

namespace notify::providers::feishu_bot {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"}, {"token", kSecret}, {"secret", kSecret},
                                  {"msgtype"},  {"overflow"},       {"timeout"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "feishu-bot",
    .summary = "a Feishu / Lark custom bot",
    .keys = keys,
    .rate_limit = {{5, 1'000}, {100, 60'000}},
    .group_chat = true,
};

}  // namespace notify::providers::feishu_bot
