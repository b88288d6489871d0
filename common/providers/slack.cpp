// slack.cpp - what notify knows of the `slack` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/slack.cpp.
#include "providers/types.hpp"

namespace notify::providers::slack {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"url", kSecret}, {"mrkdwn"}, {"overflow"}, {"timeout"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "slack",
    .summary = "a Slack incoming webhook",
    .keys = keys,
    .rate_limit = {{1, 1'000}},
    .group_chat = true,
};

}  // namespace notify::providers::slack
