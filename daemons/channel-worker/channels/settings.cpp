// settings.cpp - typed access to a provider's JSON settings, with messages that
// name the provider and the key.
#include "channels/settings.hpp"

#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include "util/json_parse.hpp"
#include "util/redact.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels {

struct Settings::Table {
    nlohmann::json json;
};

Expected<Settings> Settings::parse(const ProviderConfig& provider, const ProviderKeys& keys) {
    Settings s;
    s.provider_ = provider.name;
    s.keys_ = &keys;
    auto table = std::make_shared<Table>();
    table->json = util::json_or_discarded(provider.settings_json);
    if (table->json.is_discarded() || !table->json.is_object())
        return s.error("", "settings are not a table");
    s.table_ = std::move(table);
    std::vector<std::string> names(std::begin(kProviderOwnKeys), std::end(kProviderOwnKeys));
    for (const auto& k : keys) names.emplace_back(k.name);
    for (const auto& item : s.table_->json.items()) {
        bool known = false;
        for (const auto& n : names) known = known || n == item.key();
        if (!known)
            return s.error(item.key(), "unknown key '" + item.key() + "'" +
                                           util::did_you_mean(item.key(), names));
    }
    return s;
}

std::string Settings::quoted(const std::string& key, const std::string& raw) const {
    return is_secret(*keys_, key) ? util::masked_secret(raw) : util::without_password(raw);
}

Error Settings::error(const std::string& key, const std::string& what) const {
    return make_error(ErrorKind::invalid, "invalid_provider",
                      "provider '" + provider_ + "': " + what, key);
}

bool Settings::has(const std::string& key) const {
    return table_->json.contains(key);
}

Expected<std::string> Settings::text(const std::string& key, bool required,
                                     const std::string& fallback) const {
    auto it = table_->json.find(key);
    if (it == table_->json.end()) {
        if (required) return error(key, "'" + key + "' is missing");
        return fallback;
    }
    if (!it->is_string()) return error(key, "'" + key + "' must be a string");
    std::string value = it->get<std::string>();
    if (required && value.empty()) return error(key, "'" + key + "' is empty");
    return value;
}

Expected<bool> Settings::boolean(const std::string& key, bool fallback) const {
    auto it = table_->json.find(key);
    if (it == table_->json.end()) return fallback;
    if (!it->is_boolean()) return error(key, "'" + key + "' must be true or false");
    return it->get<bool>();
}

Expected<long long> Settings::integer(const std::string& key, bool required,
                                      long long fallback) const {
    auto it = table_->json.find(key);
    if (it == table_->json.end()) {
        if (required) return error(key, "'" + key + "' is missing");
        return fallback;
    }
    if (!it->is_number_integer()) return error(key, "'" + key + "' must be an integer");
    return it->get<long long>();
}

Expected<long long> Settings::positive_integer(const std::string& key) const {
    auto value = integer(key, true);
    if (!value) return value.error();
    if (*value <= 0) return error(key, "'" + key + "' must be a positive integer");
    return value;
}

Expected<std::string> Settings::choice(const std::string& key,
                                       const std::vector<std::string>& choices,
                                       const std::string& hint) const {
    auto value = text(key, false, choices.front());
    if (!value) return value.error();
    std::string listed;
    for (size_t i = 0; i < choices.size(); ++i) {
        if (*value == choices[i]) return value;
        listed += (i == 0                    ? ""
                   : i + 1 == choices.size() ? " or "
                                             : ", ") +
                  ("\"" + choices[i] + "\"");
    }
    return error(key, "'" + key + "' must be " + listed + ", not '" + quoted(key, *value) + "'" +
                          (hint.empty() ? util::did_you_mean(*value, choices) : " (" + hint + ")"));
}

Expected<std::vector<std::string>> Settings::string_list(const std::string& key) const {
    std::vector<std::string> out;
    auto it = table_->json.find(key);
    if (it == table_->json.end()) return out;
    if (!it->is_array()) return error(key, "'" + key + "' must be a list of strings");
    for (const auto& v : *it) {
        if (!v.is_string()) return error(key, "'" + key + "' must be a list of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

Expected<Millis> Settings::duration(const std::string& key, Millis fallback) const {
    auto it = table_->json.find(key);
    if (it == table_->json.end()) return fallback;
    if (!it->is_string()) return error(key, "'" + key + "' must be a duration string like \"10s\"");
    auto d = util::parse_duration(it->get<std::string>());
    if (!d) return error(key, "'" + key + "': " + d.error().message);
    if (*d <= 0) return error(key, "'" + key + "' must be more than zero");
    return *d;
}

Expected<std::map<std::string, std::string>> Settings::string_table(const std::string& key) const {
    std::map<std::string, std::string> out;
    auto it = table_->json.find(key);
    if (it == table_->json.end()) return out;
    if (!it->is_object()) return error(key, "'" + key + "' must be a table of strings");
    for (const auto& item : it->items()) {
        if (!item.value().is_string())
            return error(key, "'" + key + "." + item.key() + "' must be a string");
        out[item.key()] = item.value().get<std::string>();
    }
    return out;
}

Expected<std::string> Settings::secret(const std::string& key, bool required) const {
    if (!is_secret(*keys_, key))
        return make_error(
            ErrorKind::internal, "undeclared_secret",
            "provider '" + provider_ + "': '" + key + "' is read as a secret but not declared one");
    auto raw = text(key, required);
    if (!raw) return raw.error();
    if (raw->empty()) return std::string();
    auto value = resolve_secret(*raw);
    if (!value) return error(key, "'" + key + "': " + value.error().message);
    return *value;
}

Expected<std::string> Settings::url(const std::string& key,
                                    const std::vector<std::string>& schemes) const {
    auto raw = text(key, true);
    if (!raw) return raw.error();
    std::string expected;
    for (const auto& s : schemes) expected += (expected.empty() ? "" : " or ") + s + "://";
    CURLU* u = curl_url();
    if (!u) return error(key, "out of memory");
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, raw->c_str(), CURLU_NON_SUPPORT_SCHEME);
    std::string scheme, host;
    if (rc == CURLUE_OK) {
        char* part = nullptr;
        if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) {
            scheme = util::to_lower(part);
            curl_free(part);
        }
        part = nullptr;
        if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
            host = part;
            curl_free(part);
        }
    }
    curl_url_cleanup(u);
    if (rc != CURLUE_OK)
        return error(key, "'" + key + "' is not a valid URL '" + quoted(key, *raw) +
                              "': " + util::to_lower(curl_url_strerror(rc)));
    bool scheme_ok = false;
    for (const auto& s : schemes) scheme_ok = scheme_ok || s == scheme;
    if (!scheme_ok)
        return error(
            key, "'" + key + "' must start with " + expected + ", not '" + quoted(key, *raw) + "'");
    if (host.empty()) return error(key, "'" + key + "' names no host: '" + quoted(key, *raw) + "'");
    return *raw;
}

Expected<std::string> Settings::endpoint(const std::string& fallback) const {
    if (!has("endpoint")) return fallback;
    return url("endpoint", {"http", "https"});
}

}  // namespace notify::channels
