// twilio.cpp - what notify knows of the `twilio` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/twilio.cpp.
#include "providers/types.hpp"

namespace notify::providers::twilio {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"}, {"account_sid"},           {"auth_token", kSecret},
                                  {"from"},     {"messaging_service_sid"}, {"overflow"},
                                  {"timeout"},  {"status_callback"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "twilio",
    .summary = "SMS through Twilio's Messages API",
    .keys = keys,
    .address = AddressKind::phone,
};

}  // namespace notify::providers::twilio
