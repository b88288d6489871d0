// apns.cpp - what notify knows of the `apns` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/apns.cpp.
#include "providers/types.hpp"

namespace notify::providers::apns {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"},  {"environment"},  {"team_id"},
                                  {"key_id"},    {"key", kSecret}, {"topic"},
                                  {"push_type"}, {"ca_file"},      {"timeout"}};

namespace {

// A device token: hex digits, an even number of them (32 bytes today).
std::string device_token(std::string_view r) {
    bool hex = r.size() >= 32 && r.size() <= 200 && r.size() % 2 == 0;
    for (char c : r)
        hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
    return hex ? "" : "an APNs device token: hex digits, such as '00fc13adff785122b4ad2880...'";
}

}  // namespace

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "apns",
    .summary = "Apple Push Notification service (HTTP/2, token auth)",
    .keys = keys,
    .address_form = device_token,
    .multiplexed = true,
};

}  // namespace notify::providers::apns
