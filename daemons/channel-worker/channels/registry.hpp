// registry.hpp - the table of adapter types: which `type` of provider each
// adapter serves, how to check a provider's settings, and how to build it.
//
// notifyctl uses validate_provider() for `notifyctl config check`; the worker
// uses make_adapter() once per provider at start. Adding a provider type is one
// new file in this folder plus one line in registry.cpp's table.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "util/error.hpp"

namespace notify::channels {

class Adapter;
struct AdapterOptions;

// Checks a provider's keys, their types, URL syntax and that its secret
// references resolve. Messages name the provider and the key:
//   "provider 'corp-mail': 'from' is missing"
Status validate_provider(const ProviderConfig& provider);

// The provider types this build knows, sorted.
std::vector<std::string> known_types();

// Builds the adapter for a provider (validating it the same way first).
Expected<std::unique_ptr<Adapter>> make_adapter(const ProviderConfig& provider,
                                                const AdapterOptions& options);

}  // namespace notify::channels
