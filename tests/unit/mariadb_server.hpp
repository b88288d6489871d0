// mariadb_server.hpp - a MariaDB server of the tests' own: mariadb-install-db
// into a temporary folder and mariadbd on a socket there, no network, started
// by the first test that asks and stopped when the tests end. Each test gets a
// database of its own.
#pragma once

#include <string>

#include "store/mariadb_db.hpp"

namespace notify::testing {

// A new, empty database on the tests' server, as a target to connect to
// (user root, no password, over the socket). Fails the test when the server
// cannot start.
store::MariaTarget fresh_mariadb_database();

// The tests' server's socket, for a connection of a test's own.
std::string mariadb_socket();

// Whether the tests that can run on either keep their stores on MariaDB
// (NOTIFY_TEST_STORE=mariadb) rather than SQLite.
bool stores_on_mariadb();

}  // namespace notify::testing
