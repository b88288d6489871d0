// settings.hpp - typed, checked access to one provider's settings
// (ProviderConfig::settings_json, the provider's TOML table as JSON text).
//
// Every error names the provider and the key, in the form the registry promises:
//   provider 'corp-mail': 'from' is missing
//   provider 'hook': 'timeout': invalid duration '10 parsecs': ...
//   provider 'hook': unknown key 'secrte', did you mean 'secret'?
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "provider_type.hpp"
#include "util/error.hpp"

namespace notify::channels {

class Settings {
  public:
    // Fails when settings_json is not a JSON object or holds a key outside
    // `keys`, the type's declaration (kProviderOwnKeys, read by notify itself,
    // are always allowed). `keys` must outlive the Settings.
    static Expected<Settings> parse(const ProviderConfig& provider, const ProviderKeys& keys);

    bool has(const std::string& key) const;
    // A string; `required` makes a missing key an error, else `fallback` is returned.
    Expected<std::string> text(const std::string& key, bool required,
                               const std::string& fallback = {}) const;
    Expected<bool> boolean(const std::string& key, bool fallback) const;
    // An integer; `required` makes a missing key an error, else `fallback` is returned.
    Expected<long long> integer(const std::string& key, bool required,
                                long long fallback = 0) const;
    // A required integer that must be more than zero.
    Expected<long long> positive_integer(const std::string& key) const;
    // One of `choices` (missing: the first); else an error listing them, ended
    // with `hint` when one is given, else with a "did you mean" suggestion.
    Expected<std::string> choice(const std::string& key, const std::vector<std::string>& choices,
                                 const std::string& hint = {}) const;
    // A list of strings (missing: empty).
    Expected<std::vector<std::string>> string_list(const std::string& key) const;
    // A duration string such as "10s"; must be positive.
    Expected<Millis> duration(const std::string& key, Millis fallback) const;
    // A table whose values are all strings.
    Expected<std::map<std::string, std::string>> string_table(const std::string& key) const;
    // A string that may be "env:NAME" or "file:/path", resolved. Only for keys
    // declared secret: any other key is an internal error, so that no secret is
    // read without `config show` and the messages masking it.
    Expected<std::string> secret(const std::string& key, bool required) const;
    // A URL whose scheme is one of `schemes` and which names a host. Messages
    // quote it without its password, and not at all when the key is secret.
    Expected<std::string> url(const std::string& key,
                              const std::vector<std::string>& schemes) const;
    // The optional `endpoint` key (an http:// or https:// URL), else `fallback`:
    // the vendor's documented base URL.
    Expected<std::string> endpoint(const std::string& fallback) const;

    // "provider 'NAME': WHAT", as an ErrorKind::invalid error about `key`.
    Error error(const std::string& key, const std::string& what) const;
    const std::string& provider() const { return provider_; }

  private:
    struct Table;
    // `raw` as a message may quote it: masked for a secret key, else without a
    // URL's password.
    std::string quoted(const std::string& key, const std::string& raw) const;

    std::string provider_;
    const ProviderKeys* keys_ = nullptr;
    std::shared_ptr<const Table> table_;
};

}  // namespace notify::channels
