// webhook.cpp - what notify knows of the `webhook` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/webhook.cpp.
#include "providers/types.hpp"

namespace notify::providers::webhook {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {
    {"url"}, {"secret", kSecret}, {"headers", kSecret}, {"timeout"}, {"receipt_secret", kSecret}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "webhook",
    .summary = "a JSON POST to any URL, signed with HMAC-SHA256",
    .keys = keys,
};

}  // namespace notify::providers::webhook
