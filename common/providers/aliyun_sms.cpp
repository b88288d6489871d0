// aliyun_sms.cpp - what notify knows of the `aliyun-sms` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/aliyun_sms.cpp.
#include "providers/types.hpp"

namespace notify::providers::aliyun_sms {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"},  {"access_key_id"}, {"access_key_secret", kSecret},
                                  {"sign_name"}, {"region"},        {"international"},
                                  {"templates"}, {"timeout"},       {"receipt_secret", kSecret}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "aliyun-sms",
    .summary = "Alibaba Cloud SMS (Dysmsapi SendSms)",
    .keys = keys,
    .address = AddressKind::phone,
    .vendor_templates = true,
};

}  // namespace notify::providers::aliyun_sms
