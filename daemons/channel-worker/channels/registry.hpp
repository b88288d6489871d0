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
#include "provider_type.hpp"
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

// The keys a provider type takes, secrets marked; nullptr for an unknown type.
const ProviderKeys* provider_keys(const std::string& type);

// A provider's settings as they may be shown (`notifyctl config show`, logs):
// JSON text of its table where each value of a key its type declares secret is
// "********" or its "env:NAME" / "file:/path" reference (each value of a table
// so), and URLs in the others have no password. Every value of a provider of
// an unknown type counts as secret.
std::string shown_settings(const ProviderConfig& provider);

// The values of a provider's secret keys as the adapter will use them
// ("env:" and "file:" references resolved; each string of a table), for
// log::never_show(). Unresolvable references are left out.
std::vector<std::string> secret_values(const ProviderConfig& provider);

// Builds the adapter for a provider (validating it the same way first).
Expected<std::unique_ptr<Adapter>> make_adapter(const ProviderConfig& provider,
                                                const AdapterOptions& options);

}  // namespace notify::channels
