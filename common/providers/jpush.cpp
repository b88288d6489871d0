// jpush.cpp - what notify knows of the `jpush` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/jpush.cpp.
#include "providers/types.hpp"
#include "util/strings.hpp"

namespace notify::providers::jpush {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"},        {"app_key"},  {"master_secret", kSecret},
                                  {"apns_production"}, {"platform"}, {"timeout"}};

namespace {

// A registration id: letters and digits (JPush's are about 19 long).
std::string registration_id(std::string_view r) {
    bool ok = r.size() <= 64 && util::all_alnum(r);
    return ok ? "" : "a JPush registration id: letters and digits, such as '1a0018970af7b1dd6c6'";
}

}  // namespace

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "jpush",
    .summary = "JPush (极光推送) REST API v3",
    .keys = keys,
    .address_form = registration_id,
};

}  // namespace notify::providers::jpush
