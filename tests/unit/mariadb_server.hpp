// mariadb_server.hpp - a MariaDB server of the tests' own: mariadb-install-db
// into a temporary folder and mariadbd on a socket there, no network, started
// by the first test that asks and stopped when the tests end. Each test gets a
// database of its own.
#pragma once

#include <memory>
#include <string>

#include "store/mariadb_db.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

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

// One store that a test opens several connections to: a SQLite file in a
// folder of its own or, when stores_on_mariadb(), a database of its own.
class SharedStore {
  public:
    SharedStore();
    // A new connection; fails the test when it cannot be opened.
    std::unique_ptr<store::Store> open();

  private:
    TempDir dir_;
    store::MariaTarget target_;
};

}  // namespace notify::testing
