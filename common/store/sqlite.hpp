// sqlite.hpp - a thin RAII layer over sqlite3 prepared statements, for the store's
// own files only.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace notify::store {

class Stmt {
  public:
    Stmt() = default;
    Stmt(sqlite3* db, std::string_view sql);
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }

    Stmt& bind(int i, std::string_view v);
    Stmt& bind(int i, std::int64_t v);
    Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    // Bytes as a BLOB (an empty one for an empty view, never NULL).
    Stmt& bind_blob(int i, std::string_view bytes);
    // SQLITE_ROW: true; SQLITE_DONE: false; anything else throws StoreFailure.
    bool step();
    void reset();
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
    bool exists();
    // One step, then reset: for a statement that writes.
    void run();

    std::string text(int col) const;
    // The same without a copy: valid until the next step or reset.
    std::string_view view(int col) const;
    // A BLOB column's bytes without a copy, valid as long.
    std::string_view blob(int col) const;
    std::int64_t integer(int col) const;

  private:
    // Resets the statement on every way out, a throw included: a statement
    // left stepped keeps its read snapshot, and the connection sees no
    // commit made since.
    struct Resetting {
        Stmt& stmt;
        ~Resetting() { stmt.reset(); }
    };
    sqlite3_stmt* s_ = nullptr;
};

// Thrown inside the store's own code, turned into an Error at its edges.
struct StoreFailure {
    int code;
    std::string message;
};

void exec(sqlite3* db, const char* sql);

// Turns off SQLite's count of the memory it holds, which takes a lock on every
// allocation and which nothing in a daemon reads. Only before the first store
// is opened (later, it changes nothing).
void skip_memory_statistics();
Error to_error(const StoreFailure& f);

// BEGIN IMMEDIATE ... COMMIT, rolled back unless commit() was called.
class Transaction {
  public:
    explicit Transaction(sqlite3* db);
    ~Transaction();
    void commit();

  private:
    sqlite3* db_;
    bool done_ = false;
};

// BEGIN (deferred) ... COMMIT around a run of reads, so that they share one
// snapshot and take the store's locks once instead of once per statement.
// Nothing is written in it. Does nothing inside a transaction already open, and
// the reads go on one by one should BEGIN fail.
class ReadTransaction {
  public:
    explicit ReadTransaction(sqlite3* db);
    ~ReadTransaction();
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

  private:
    sqlite3* db_;
    bool open_ = false;
};

// Runs `body` (which returns a Status) in one transaction, committed when it
// succeeds and rolled back when it fails; a StoreFailure becomes its Error.
template <class Body>
Status in_transaction(sqlite3* db, Body&& body) {
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
