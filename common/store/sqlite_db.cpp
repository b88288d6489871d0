#include "store/sqlite_db.hpp"

#include <unistd.h>

namespace notify::store {

namespace {

// A failed step or exec as a StoreFailure; the commit hook's refusal
// (moved_file.hpp) is told as what it stands for.
StoreFailure failure(sqlite3* db, int rc, std::string message) {
    if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_COMMITHOOK) {
        const char* path = sqlite3_db_filename(db, "main");
        return {SQLITE_CONSTRAINT_COMMITHOOK,
                std::string("the store file '") + (path ? path : "") +
                    "' was deleted or replaced while it was open; nothing is written to it "
                    "until the daemons are restarted"};
    }
    return {rc, std::move(message)};
}

// Waits for another writer's lock in short steps. SQLite's own busy timeout sleeps
// in growing steps of up to 100 ms, which stalls a daemon's loop long after the
// other writer's commit (a fraction of a millisecond) is done.
int wait_for_lock(void* limit_ms, int tries) {
    const util::Millis limit = *static_cast<const util::Millis*>(limit_ms);
    const util::Millis waited_us = tries < 100 ? tries * 100LL : 10'000LL + (tries - 100) * 1000LL;
    if (waited_us >= limit * 1000) return 0;
    usleep(tries < 100 ? 100 : 1000);
    return 1;
}

std::string_view bytes_of(const void* p, int n) {
    return p ? std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string_view();
}

class SqliteStatement final : public StatementImpl {
  public:
    SqliteStatement(sqlite3* db, std::string_view sql) {
        int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
        if (rc != SQLITE_OK) throw StoreFailure{rc, sqlite3_errmsg(db)};
    }
    ~SqliteStatement() override { sqlite3_finalize(s_); }
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    void bind_text(int i, std::string_view v) override {
        // An empty view may have no data: still the empty text, never NULL.
        sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()),
                          SQLITE_TRANSIENT);
    }
    void bind_blob(int i, std::string_view bytes) override {
        sqlite3_bind_blob(s_, i, bytes.data() ? bytes.data() : "", static_cast<int>(bytes.size()),
                          SQLITE_TRANSIENT);
    }
    void bind_integer(int i, std::int64_t v) override { sqlite3_bind_int64(s_, i, v); }
    void bind_null(int i) override { sqlite3_bind_null(s_, i); }
    bool step() override {
        int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        sqlite3* db = sqlite3_db_handle(s_);
        StoreFailure f = failure(db, rc, sqlite3_errmsg(db));
        sqlite3_reset(s_);
        throw f;
    }
    void reset() override {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    std::string_view text(int col) const override {
        const unsigned char* p = sqlite3_column_text(s_, col);
        return bytes_of(p, sqlite3_column_bytes(s_, col));
    }
    std::string_view blob(int col) const override {
        const void* p = sqlite3_column_blob(s_, col);
        return bytes_of(p, sqlite3_column_bytes(s_, col));
    }
    std::int64_t integer(int col) const override { return sqlite3_column_int64(s_, col); }
    bool is_null(int col) const override { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
    int columns() const override { return sqlite3_column_count(s_); }

  private:
    sqlite3_stmt* s_ = nullptr;
};

}  // namespace

SqliteDb::SqliteDb(sqlite3* db, util::Millis busy_timeout) : db_(db), busy_timeout_(busy_timeout) {
    sqlite3_busy_handler(db_, wait_for_lock, &busy_timeout_);
}

SqliteDb::~SqliteDb() {
    // sqlite3_close() would answer BUSY while another owner's statements are
    // still prepared, and keep the connection forever; sqlite3_close_v2()
    // closes it when the last of them is finalized. The busy handler's limit
    // dies with this object, so it goes first.
    sqlite3_busy_handler(db_, nullptr, nullptr);
    sqlite3_close_v2(db_);
}

std::unique_ptr<StatementImpl> SqliteDb::prepare(std::string_view sql) {
    return std::make_unique<SqliteStatement>(db_, sql);
}

void SqliteDb::exec(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw failure(db_, rc, msg);
    }
}

void SqliteDb::begin_write() {
    exec("BEGIN IMMEDIATE");
}

bool SqliteDb::begin_read() noexcept {
    return sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
}

void SqliteDb::commit() {
    exec("COMMIT");
}

void SqliteDb::rollback() noexcept {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool SqliteDb::in_transaction() const {
    return !sqlite3_get_autocommit(db_);
}

std::int64_t SqliteDb::changes() const {
    return sqlite3_changes64(db_);
}

std::int64_t SqliteDb::last_insert_id() const {
    return sqlite3_last_insert_rowid(db_);
}

std::int64_t SqliteDb::first_insert_id(std::int64_t rows) const {
    // SQLite gives the last row's number.
    return last_insert_id() - rows + 1;
}

sqlite3* sqlite_handle(Db& db) {
    if (auto* s = dynamic_cast<SqliteDb*>(&db)) return s->raw();
    throw StoreFailure{SQLITE_MISUSE, "this needs a store on SQLite"};
}

void skip_memory_statistics() {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

}  // namespace notify::store
