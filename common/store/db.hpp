// db.hpp - the store's connection and statements, whichever database holds them.
// Db is one connection that a backend implements (sqlite_db.hpp); Stmt,
// Transaction, ReadTransaction and exec are what the store's own files write
// their SQL with, the same for every backend.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace notify::store {

// Thrown inside the store's own code, turned into an Error at its edges. `code`
// is one of SQLite's result codes, the store's one vocabulary of failures.
struct StoreFailure {
    int code;
    std::string message;
};

enum class Dialect { sqlite, mariadb };

class Db;

// A check made at the start of every write transaction of a connection that
// has one (Db::set_write_fence), inside it: it throws StoreFailure when the
// connection may no longer write, and the transaction is rolled back. The
// router's connections check that it still holds its lease
// (store/router_leases.hpp).
class WriteFence {
  public:
    virtual ~WriteFence() = default;
    virtual void check(Db& db) = 0;
};

// One prepared statement of a backend. Parameters are numbered from 1 and
// columns from 0, as written in the SQL.
class StatementImpl {
  public:
    virtual ~StatementImpl() = default;
    virtual void bind_text(int i, std::string_view v) = 0;
    virtual void bind_blob(int i, std::string_view bytes) = 0;
    virtual void bind_integer(int i, std::int64_t v) = 0;
    virtual void bind_null(int i) = 0;
    // A row: true; no more rows: false; a failure throws StoreFailure.
    virtual bool step() = 0;
    // Back to before the first step, with every binding cleared.
    virtual void reset() = 0;
    // A column's bytes, valid until the next step or reset; empty for NULL.
    virtual std::string_view text(int col) const = 0;
    virtual std::string_view blob(int col) const = 0;
    virtual std::int64_t integer(int col) const = 0;
    // Whether a column of the row is NULL, and how many columns a row has
    // (known once the statement has stepped).
    virtual bool is_null(int col) const = 0;
    virtual int columns() const = 0;
    // On a connection that holds writes (Db::hold_writes), inside a write
    // transaction: keeps this statement, an INSERT, with the values bound now,
    // to be sent with the connection's next statement or its commit, and true;
    // `ran(id)` is called once it ran, with the number the first row it
    // inserted got. False, with nothing kept, when it is to run now.
    virtual bool hold(std::function<void(std::int64_t)> /*ran*/) { return false; }
};

// One connection to the store's database, used by one thread at a time.
class Db {
  public:
    virtual ~Db() = default;
    virtual Dialect dialect() const = 0;
    virtual std::unique_ptr<StatementImpl> prepare(std::string_view sql) = 0;
    // Runs statements that return no rows, separated by semicolons.
    virtual void exec(const char* sql) = 0;
    // Opens a transaction that writes: only one is open at a time in the whole
    // store, so that rows numbered in order are also committed in order.
    virtual void begin_write() = 0;
    // Opens a transaction that only reads, so that its reads share one
    // snapshot; false when none could be opened.
    virtual bool begin_read() noexcept = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    virtual bool in_transaction() const = 0;
    // Rows the last INSERT, UPDATE or DELETE changed (or matched, for an UPDATE
    // that wrote the values a row held already).
    virtual std::int64_t changes() const = 0;
    // The number the last INSERT gave its row.
    virtual std::int64_t last_insert_id() const = 0;
    // The number the first of the `rows` rows of the last INSERT got; the others
    // follow it one by one (writers take turns, so no other insert interleaves).
    virtual std::int64_t first_insert_id(std::int64_t rows) const = 0;
    // How many seconds this database, a replica, is behind its source as it
    // reports it; nullopt when it replicates nothing now (it is no replica,
    // or its replication is stopped or cannot reach the source).
    virtual std::optional<std::int64_t> replication_lag() { return std::nullopt; }
    // Whether the MultiRow inserts of a write transaction are held
    // (StatementImpl::hold) to go with the next statement or the commit, in
    // as few round trips as their size allows; a database in the same process
    // (SQLite) has no round trips to save and holds nothing. A failure of a
    // held write is thrown by the statement or the commit that sent it.
    // Returns whether it held them before.
    virtual bool hold_writes(bool /*on*/) { return false; }

    // From now on every write transaction (Transaction) checks `fence` first.
    void set_write_fence(std::shared_ptr<WriteFence> fence) { fence_ = std::move(fence); }
    WriteFence* write_fence() const { return fence_.get(); }

  private:
    std::shared_ptr<WriteFence> fence_;
};

class Stmt {
  public:
    Stmt() = default;
    Stmt(Db& db, std::string_view sql) : s_(db.prepare(sql)) {}

    Stmt& bind(int i, std::string_view v) {
        s_->bind_text(i, v);
        return *this;
    }
    Stmt& bind(int i, std::int64_t v) {
        s_->bind_integer(i, v);
        return *this;
    }
    Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Stmt& bind_null(int i) {
        s_->bind_null(i);
        return *this;
    }
    // Bytes as a BLOB (an empty one for an empty view, never NULL).
    Stmt& bind_blob(int i, std::string_view bytes) {
        s_->bind_blob(i, bytes);
        return *this;
    }
    // A row: true; no more rows: false; anything else throws StoreFailure.
    bool step() { return s_->step(); }
    void reset() { s_->reset(); }
    // Keeps the statement as bound to run later (StatementImpl::hold), then
    // resets it; false, with the bindings kept, when it is to run now.
    bool hold(std::function<void(std::int64_t)> ran) {
        if (!s_->hold(std::move(ran))) return false;
        reset();
        return true;
    }
    // Every row through `read`, then reset.
    template <class Read>
    auto collect(Read read) -> std::vector<decltype(read(*this))> {
        Resetting resetting{*this};
        std::vector<decltype(read(*this))> out;
        while (step()) out.push_back(read(*this));
        return out;
    }
    // The first row through `read`, or nullopt when there is none; then reset.
    template <class Read>
    auto first(Read read) -> std::optional<decltype(read(*this))> {
        Resetting resetting{*this};
        std::optional<decltype(read(*this))> out;
        if (step()) out = read(*this);
        return out;
    }
    // Whether there is a row, then reset: for "SELECT 1 ... WHERE ...".
    bool exists() {
        Resetting resetting{*this};
        return step();
    }
    // One step, then reset: for a statement that writes.
    void run() {
        Resetting resetting{*this};
        step();
    }

    std::string text(int col) const { return std::string(s_->text(col)); }
    // The same without a copy: valid until the next step or reset.
    std::string_view view(int col) const { return s_->text(col); }
    // A BLOB column's bytes without a copy, valid as long.
    std::string_view blob(int col) const { return s_->blob(col); }
    std::int64_t integer(int col) const { return s_->integer(col); }
    bool is_null(int col) const { return s_->is_null(col); }
    int columns() const { return s_->columns(); }
    bool prepared() const { return s_ != nullptr; }

  private:
    // Resets the statement on every way out, a throw included: a statement
    // left stepped keeps its read snapshot, and the connection sees no
    // commit made since.
    struct Resetting {
        Stmt& stmt;
        ~Resetting() { stmt.reset(); }
    };
    std::unique_ptr<StatementImpl> s_;
};

// Holds the writes of the connection's MultiRow inserts while it lives
// (Db::hold_writes).
class HeldWrites {
  public:
    explicit HeldWrites(Db& db) : db_(db), before_(db.hold_writes(true)) {}
    ~HeldWrites() { db_.hold_writes(before_); }
    HeldWrites(const HeldWrites&) = delete;
    HeldWrites& operator=(const HeldWrites&) = delete;

  private:
    Db& db_;
    bool before_;
};

inline void exec(Db& db, const char* sql) {
    db.exec(sql);
}

Error to_error(const StoreFailure& f);

// A write transaction (Db::begin_write) ... COMMIT, rolled back unless commit()
// was called. The connection's write fence, when it has one, is checked first
// thing inside it.
class Transaction {
  public:
    explicit Transaction(Db& db) : db_(&db) {
        db.begin_write();
        if (WriteFence* fence = db.write_fence()) {
            try {
                fence->check(db);
            } catch (...) {
                db.rollback();
                throw;
            }
        }
    }
    ~Transaction() {
        if (!done_) db_->rollback();
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        db_->commit();
        done_ = true;
    }

  private:
    Db* db_;
    bool done_ = false;
};

// A read transaction around a run of reads, so that they share one snapshot
// and take the store's locks once instead of once per statement. Nothing is
// written in it. Does nothing inside a transaction already open, and the reads
// go on one by one should it fail to open.
class ReadTransaction {
  public:
    explicit ReadTransaction(Db& db) : db_(&db) {
        if (!db.in_transaction()) open_ = db.begin_read();
    }
    ~ReadTransaction();
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

  private:
    Db* db_;
    bool open_ = false;
};

// Runs `body` (which returns a Status) in one transaction, committed when it
// succeeds and rolled back when it fails; a StoreFailure becomes its Error.
template <class Body>
Status in_transaction(Db& db, Body&& body) {
    try {
        Transaction tx(db);
        Status s = body();
        if (s) tx.commit();
        return s;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

}  // namespace notify::store
