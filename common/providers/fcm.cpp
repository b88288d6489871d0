// fcm.cpp - what notify knows of the `fcm` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/fcm.cpp.
#include "providers/types.hpp"
#include "util/strings.hpp"

namespace notify::providers::fcm {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {
    {"endpoint"}, {"credentials", kSecret}, {"project_id"}, {"ca_file"}, {"timeout"}};

namespace {

// A registration token: letters, digits and "-_:" (FCM's tokens are about 160 long).
std::string registration_token(std::string_view r) {
    bool ok = r.size() >= 20 && r.size() <= 4096 && util::all_alnum(r, "-_:");
    return ok ? "" : "an FCM registration token: letters, digits, '-', '_' and ':'";
}

}  // namespace

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "fcm",
    .summary = "Firebase Cloud Messaging (HTTP v1, service account)",
    .keys = keys,
    .address_form = registration_token,
    .multiplexed = true,
};

}  // namespace notify::providers::fcm
