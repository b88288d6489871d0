// config_secret.hpp - which global keys of notify.toml(5) hold a secret.
//
// Declared once, in config.cpp's key table (its `secret` flag); `notifyctl
// config show` and every message show such a value only masked
// (util/redact.hpp). A provider's secret keys are declared by its type
// (its descriptor, provider_type.hpp).
#pragma once

#include <string>

namespace notify {

// Whether the scalar key ("preferences.unsubscribe_secret") is declared secret.
bool is_secret_setting(const std::string& key);

}  // namespace notify
