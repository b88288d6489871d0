// file.cpp - what notify knows of the `file` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/file.cpp.
#include "providers/types.hpp"

namespace notify::providers::file {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"path"}};

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "file",
    .summary = "an outbox: one JSON line per delivery appended to a file",
    .keys = keys,
};

}  // namespace notify::providers::file
