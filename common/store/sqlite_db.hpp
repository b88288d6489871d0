// sqlite_db.hpp - the store on SQLite: a Db over one sqlite3 connection, and
// what only SQLite has (its handle for hooks, checkpoints and the VFS).
#pragma once

#include <sqlite3.h>

#include "store/db.hpp"
#include "util/time.hpp"

namespace notify::store {

class SqliteDb final : public Db {
  public:
    // Takes `db` over, and waits up to `busy_timeout` for another writer's lock.
    SqliteDb(sqlite3* db, util::Millis busy_timeout);
    // Closes the connection once the last statement prepared on it is finalized:
    // another owner's statements may outlive the store.
    ~SqliteDb() override;
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    sqlite3* raw() const { return db_; }

    Dialect dialect() const override { return Dialect::sqlite; }
    std::unique_ptr<StatementImpl> prepare(std::string_view sql) override;
    void exec(const char* sql) override;
    void begin_write() override;
    bool begin_read() noexcept override;
    void commit() override;
    void rollback() noexcept override;
    bool in_transaction() const override;
    std::int64_t changes() const override;
    std::int64_t last_insert_id() const override;
    std::int64_t first_insert_id(std::int64_t rows) const override;

  private:
    sqlite3* db_;
    util::Millis busy_timeout_;  // read by the busy handler
};

// The SQLite connection under `db`; throws StoreFailure for another backend.
sqlite3* sqlite_handle(Db& db);

// Turns off SQLite's count of the memory it holds, which takes a lock on every
// allocation and which nothing in a daemon reads. Only before the first store
// is opened (later, it changes nothing).
void skip_memory_statistics();

}  // namespace notify::store
