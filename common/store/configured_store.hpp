// configured_store.hpp - the store that [store] of notify.toml(5) names: the
// SQLite file at store.path (store.backend "sqlite", the default), or the
// MySQL or MariaDB database at store.url (backend "mysql") with the secret
// store.password. Every program opens its connections here.
#pragma once

#include <memory>

#include "config.hpp"
#include "store/store.hpp"

namespace notify::store {

// A new connection to it, its schema made or brought up to date; a failure
// (unavailable) names the file or the server and user, never the password,
// or the password's reference that cannot be read.
Expected<std::unique_ptr<Store>> open_configured(const Config::Store& where,
                                                 const Options& options);

}  // namespace notify::store
