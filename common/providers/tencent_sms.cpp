// tencent_sms.cpp - what notify knows of the `tencent-sms` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/tencent_sms.cpp.
#include "providers/types.hpp"

namespace notify::providers::tencent_sms {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"},   {"secret_id"}, {"secret_key", kSecret},
                                  {"sdk_app_id"}, {"sign_name"}, {"region"},
                                  {"templates"},  {"timeout"},   {"receipt_secret", kSecret}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "tencent-sms",
    .summary = "Tencent Cloud SMS (SendSms 2021-01-11)",
    .keys = keys,
    .address = AddressKind::phone,
    .vendor_templates = true,
};

}  // namespace notify::providers::tencent_sms
