// shown_settings.cpp - a provider's settings with its secrets masked, and the
// values of those secrets for the log to hide (see the header).
#include "providers/shown_settings.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "provider_type.hpp"
#include "util/json_parse.hpp"
#include "util/redact.hpp"

namespace notify::providers {

namespace {

// Every scalar in `value` masked (a table or list keeps its shape, so that
// `headers` still shows which headers are set).
nlohmann::json masked(const nlohmann::json& value) {
    if (value.is_object() || value.is_array()) {
        nlohmann::json out = value;
        for (auto& v : out) v = masked(v);
        return out;
    }
    if (value.is_string()) return util::masked_secret(value.get<std::string>());
    return std::string(util::kMasked);
}

nlohmann::json without_passwords(const nlohmann::json& value) {
    if (value.is_string()) return util::without_password(value.get<std::string>());
    if (!value.is_object() && !value.is_array()) return value;
    nlohmann::json out = value;
    for (auto& v : out) v = without_passwords(v);
    return out;
}

}  // namespace

std::string shown_settings(const ProviderConfig& provider) {
    nlohmann::json settings = util::json_or_discarded(provider.settings_json);
    if (!settings.is_object()) return "{}";
    const ProviderKeys* keys = provider_keys(provider.type);
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        if (std::find(std::begin(kProviderOwnKeys), std::end(kProviderOwnKeys), it.key()) !=
            std::end(kProviderOwnKeys))
            continue;
        bool secret = !keys || is_secret(*keys, it.key());
        it.value() = secret ? masked(it.value()) : without_passwords(it.value());
    }
    return settings.dump();
}

std::vector<std::string> secret_values(const ProviderConfig& provider) {
    std::vector<std::string> out;
    nlohmann::json settings = util::json_or_discarded(provider.settings_json);
    const ProviderKeys* keys = provider_keys(provider.type);
    if (!settings.is_object() || !keys) return out;
    auto add = [&](const nlohmann::json& value) {
        if (!value.is_string()) return;
        auto resolved = resolve_secret(value.get<std::string>());
        if (resolved && !resolved->empty()) out.push_back(*resolved);
    };
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        if (!is_secret(*keys, it.key())) continue;
        if (it.value().is_object())
            for (const auto& v : it.value()) add(v);
        else
            add(it.value());
    }
    return out;
}

}  // namespace notify::providers
