// config_tables.hpp - the tables of notify.toml whose keys are names the
// operator chooses: [providers.NAME], [channels.NAME] and [recipient_limits].
// config.cpp reads the fixed keys and calls these; both name each mistake by
// FILE:LINE and key (config_error, where).
#pragma once

#include <toml++/toml.h>

#include <string>

#include "config.hpp"

namespace notify {

// "FILE:LINE: WHAT", as an invalid_config error.
Error config_error(const std::string& where, const std::string& what);
// "FILE:LINE" of a node ("FILE" when it has no line).
std::string where(const std::string& file, const toml::node& node);

// Each provider's type, rate limits (its own or its type's default) and
// settings as JSON for the adapters.
Status read_providers(Config& c, const toml::table& root, const std::string& file);
// Each channel's providers (which must exist: read the providers first),
// weights and frequency cap.
Status read_channels(Config& c, const toml::table& root, const std::string& file);
// CATEGORY = "5/1h" or ["5/1h", "10/1d"].
Status read_recipient_limits(Config& c, const toml::table& root, const std::string& file);

}  // namespace notify
