// shown_settings.hpp - a provider's settings with its secrets masked, and the
// values of those secrets for the log to hide, by its type's declaration of
// its keys (provider_type.hpp).
#pragma once

#include <string>
#include <vector>

#include "config.hpp"

namespace notify::providers {

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

}  // namespace notify::providers
