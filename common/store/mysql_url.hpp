// mysql_url.hpp - store.url of notify.toml(5): where a MySQL or MariaDB
// store is.
//
//   mysql://USER@HOST[:PORT]/DATABASE              TCP (port 3306 by default)
//   mysql://USER@[::1]:3307/DATABASE               an IPv6 address
//   mysql://USER@localhost/DATABASE?socket=PATH    a Unix socket
//
// "mariadb://" is taken as well. USER and PATH may be percent-encoded. The URL
// never holds the password (it is printed in messages and `config show`): that
// is store.password, a secret.
#pragma once

#include <string>

#include "store/mariadb_db.hpp"
#include "util/error.hpp"

namespace notify::store {

// The server, user and database the URL names (no password), or why it
// cannot be read, naming it as `key`.
Expected<MariaTarget> parse_mysql_url(const std::string& url, const std::string& key = "store.url");

}  // namespace notify::store
