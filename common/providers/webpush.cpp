// webpush.cpp - what notify knows of the `webpush` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/webpush.cpp.
#include "providers/push_subscription.hpp"
#include "providers/types.hpp"

namespace notify::providers::webpush {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {
    {"vapid_private_key", kSecret}, {"vapid_public_key"}, {"subject"}, {"allow_http"}, {"timeout"}};

namespace {

std::string subscription_form(std::string_view r) {
    auto sub = read_subscription(r);
    return sub ? "" : sub.error().message;
}

}  // namespace

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "webpush",
    .summary = "Web Push to browsers (RFC 8030, aes128gcm, VAPID)",
    .keys = keys,
    .address_form = subscription_form,
};

}  // namespace notify::providers::webpush
