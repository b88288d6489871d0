// config_cmd.hpp - how `notifyctl config show` treats secrets, apart for its tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace notify::cli {

// Whether a provider setting named `key` holds a secret: secret, password,
// token, key, or a name ending in "_key".
bool is_secret_key(const std::string& key);
// The value `config show` prints for a setting: "********" for a secret,
// except "env:NAME" and "file:/path" references, which are shown.
std::string shown_value(const std::string& key, const nlohmann::json& value);

}  // namespace notify::cli
