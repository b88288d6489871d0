// mariadb_db.hpp - the store on MariaDB or MySQL: a Db over one connection of
// the MySQL C API (libmariadb).
//
// The SQL is the store's own: `?N` parameters are rewritten to the positional
// `?` the server takes, every result is read whole before the next statement
// (so statements interleave as on SQLite), and the session runs with
// PIPES_AS_CONCAT and strict modes. Every write transaction first takes the one
// row of `notify_writer`, so writers take turns as on SQLite and numbered rows
// are committed in the order of their numbers. A connection that is lost is
// opened again by the next statement, which prepares itself again. While it
// holds writes (Db::hold_writes), a write transaction's start and its MultiRow
// inserts are kept as text with their values (escaped as the session reads
// them, bytes as hex) and sent with the next statement or the COMMIT, one
// multi-statement query, up to 2 MiB at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "util/time.hpp"

namespace notify::store {

struct MariaTarget {
    std::string host = "127.0.0.1";
    unsigned port = 3306;
    std::string socket;  // a Unix socket's path, used instead of host and port
    std::string user;
    std::string password;
    std::string database;
    util::Millis timeout = 5000;      // to connect, and to wait for a lock
    util::Millis io_timeout = 60000;  // for the server's answer to one read or write
};

struct MariaConnection;

class MariaDb final : public Db {
  public:
    // Connects, or throws StoreFailure naming the server.
    explicit MariaDb(const MariaTarget& target);
    ~MariaDb() override;
    MariaDb(const MariaDb&) = delete;
    MariaDb& operator=(const MariaDb&) = delete;

    Dialect dialect() const override { return Dialect::mariadb; }
    std::unique_ptr<StatementImpl> prepare(std::string_view sql) override;
    void exec(const char* sql) override;
    void begin_write() override;
    bool begin_read() noexcept override;
    void commit() override;
    void rollback() noexcept override;
    bool in_transaction() const override;
    bool hold_writes(bool on) override;
    std::int64_t changes() const override;
    std::int64_t last_insert_id() const override;
    std::int64_t first_insert_id(std::int64_t rows) const override;
    // Seconds_Behind_Master (MariaDB) or Seconds_Behind_Source (MySQL) of
    // SHOW REPLICA STATUS, which needs the REPLICA MONITOR (MariaDB) or
    // REPLICATION CLIENT (MySQL) privilege.
    std::optional<std::int64_t> replication_lag() override;
    // How many write transactions the store has begun: grows with every one.
    std::int64_t writes_begun();

  private:
    std::shared_ptr<MariaConnection> c_;
};

// `sql` with each `?N` and `?` outside quotes as `?`, and the parameter number
// of each, in order (a plain `?` is one more than the largest before it).
struct PositionalSql {
    std::string sql;
    std::vector<int> parameters;
    std::vector<std::size_t> at;  // where each parameter's `?` is in `sql`
};
PositionalSql positional(std::string_view sql);

}  // namespace notify::store
