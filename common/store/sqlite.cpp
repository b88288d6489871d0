#include "store/sqlite.hpp"

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

}  // namespace

Stmt::Stmt(sqlite3* db, std::string_view sql) {
    int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
    if (rc != SQLITE_OK) throw StoreFailure{rc, sqlite3_errmsg(db)};
}

Stmt::~Stmt() {
    if (s_) sqlite3_finalize(s_);
}

Stmt& Stmt::bind(int i, std::string_view v) {
    // An empty view may have no data: still the empty text, never NULL.
    sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Stmt& Stmt::bind_blob(int i, std::string_view bytes) {
    sqlite3_bind_blob(s_, i, bytes.data() ? bytes.data() : "", static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Stmt& Stmt::bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
}

bool Stmt::step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3* db = sqlite3_db_handle(s_);
    StoreFailure f = failure(db, rc, sqlite3_errmsg(db));
    sqlite3_reset(s_);
    throw f;
}

void Stmt::reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
}

bool Stmt::exists() {
    Resetting resetting{*this};
    return step();
}

void Stmt::run() {
    Resetting resetting{*this};
    step();
}

std::string Stmt::text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    int n = sqlite3_column_bytes(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n))
             : std::string();
}

std::string_view Stmt::view(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    int n = sqlite3_column_bytes(s_, col);
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n))
             : std::string_view();
}

std::string_view Stmt::blob(int col) const {
    const void* p = sqlite3_column_blob(s_, col);
    int n = sqlite3_column_bytes(s_, col);
    return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(n))
             : std::string_view();
}

std::int64_t Stmt::integer(int col) const {
    return sqlite3_column_int64(s_, col);
}

void exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw failure(db, rc, msg);
    }
}

void skip_memory_statistics() {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

Error to_error(const StoreFailure& f) {
    bool busy = f.code == SQLITE_BUSY || f.code == SQLITE_LOCKED || f.code == SQLITE_FULL ||
                f.code == SQLITE_IOERR || f.code == SQLITE_READONLY || f.code == SQLITE_CANTOPEN ||
                f.code == SQLITE_CONSTRAINT_COMMITHOOK;
    return make_error(busy ? ErrorKind::unavailable : ErrorKind::internal, "store_unavailable",
                      "store: " + f.message);
}

Transaction::Transaction(sqlite3* db) : db_(db) {
    exec(db_, "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    exec(db_, "COMMIT");
    done_ = true;
}

ReadTransaction::ReadTransaction(sqlite3* db) : db_(db) {
    if (sqlite3_get_autocommit(db_))
        open_ = sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
}

ReadTransaction::~ReadTransaction() {
    // A transaction left open would refuse every later BEGIN and pin the log.
    if (open_ && !sqlite3_get_autocommit(db_) &&
        sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace notify::store
