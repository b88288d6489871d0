// inbox.cpp - what notify knows of the `inbox` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/inbox.cpp.
#include "providers/types.hpp"

namespace notify::providers::inbox {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {};

namespace {

std::string directory_user(std::string_view) {
    return "an inbox recipient is a directory user: 'user:ID' or 'group:NAME'";
}

}  // namespace

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "inbox",
    .summary = "the in-app inbox of each directory user, in the store",
    .keys = keys,
    .address = AddressKind::user,
    .address_form = directory_user,
};

}  // namespace notify::providers::inbox
