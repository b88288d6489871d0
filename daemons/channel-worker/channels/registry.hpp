// registry.hpp - the adapters of the provider types (providers/types.hpp):
// how to check a provider's settings, and how to build its adapter.
//
// The worker uses make_adapter() once per provider at start, and
// validate_provider() for `notify-channel-worker --check`, which `notifyctl
// config check` runs. A new type is an adapter file in this folder (see
// providers/types.hpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "provider_type.hpp"
#include "util/error.hpp"

namespace notify::channels {

class Adapter;
struct AdapterOptions;

// Checks a provider's keys, their types, URL syntax and that its secret
// references resolve. Messages name the provider and the key:
//   "provider 'corp-mail': 'from' is missing"
Status validate_provider(const ProviderConfig& provider);

// Builds the adapter for a provider (validating it the same way first).
Expected<std::unique_ptr<Adapter>> make_adapter(const ProviderConfig& provider,
                                                const AdapterOptions& options);

}  // namespace notify::channels
