// smtp.cpp - what notify knows of the `smtp` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/smtp.cpp.
#include "providers/types.hpp"

namespace notify::providers::smtp {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {
    {"url"},      {"from"},       {"username", kSecret}, {"password", kSecret},
    {"starttls"}, {"tls_verify"}, {"timeout"},           {"receipt_secret", kSecret}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "smtp",
    .summary = "email through an SMTP relay",
    .keys = keys,
    .address = AddressKind::email,
};

}  // namespace notify::providers::smtp
