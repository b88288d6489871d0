// test_gathered_log.cpp - the VFS that writes a write-ahead log in one piece per
// commit (store/gathered_log.hpp): it is what a FULL store uses, its writes wait
// for the sync, and what it holds is what SQLite wrote: other connections read
// every commit, across large transactions, rollbacks, spills and restarted logs,
// and a process that ends without closing loses no commit.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "store/gathered_log.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

using namespace notify;

namespace {

std::string vfs_of(sqlite3* db) {
    sqlite3_vfs* vfs = nullptr;
    sqlite3_file_control(db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs);
    return vfs ? vfs->zName : "";
}

long long file_size(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
}

std::int64_t scalar(store::Db& db, const char* sql) {
    store::Stmt s(db, sql);
    s.step();
    return s.integer(0);
}

std::unique_ptr<store::Store> open(const std::string& path, bool full) {
    store::Options o;
    o.synchronous_full = full;
    auto s = store::Store::open(path, o);
    REQUIRE(s);
    return std::move(*s);
}

void create_table(store::Db& db) {
    store::exec(db, "CREATE TABLE kv (n INTEGER PRIMARY KEY, v BLOB)");
}

std::string integrity(store::Db& db) {
    store::Stmt check(db, "PRAGMA integrity_check");
    return check.step() ? check.text(0) : "no answer";
}

// While it lives, the Unix VFS's pwrite64 fails with ENOSPC whenever `full` is set.
struct FullDisk {
    static inline bool full = false;
    static inline sqlite3_syscall_ptr real = nullptr;
    sqlite3_vfs* unix_vfs = sqlite3_vfs_find("unix");
    static ssize_t pwrite(int fd, const void* data, size_t n, off_t at) {
        if (full) {
            errno = ENOSPC;
            return -1;
        }
        return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off_t)>(real)(fd, data, n,
                                                                                    at);
    }
    FullDisk() {
        real = unix_vfs->xGetSystemCall(unix_vfs, "pwrite64");
        REQUIRE(real);
        unix_vfs->xSetSystemCall(unix_vfs, "pwrite64",
                                 reinterpret_cast<sqlite3_syscall_ptr>(&pwrite));
    }
    ~FullDisk() {
        full = false;
        unix_vfs->xSetSystemCall(unix_vfs, "pwrite64", nullptr);  // the default again
    }
};

// Inserts `rows` rows of `size` bytes each; returns the sum of their numbers.
std::int64_t insert(store::Db& db, int rows, int size, std::int64_t first) {
    store::Stmt s(db, "INSERT INTO kv (n, v) VALUES (?, zeroblob(?))");
    std::int64_t sum = 0;
    for (int i = 0; i < rows; ++i) {
        s.bind(1, first + i);
        s.bind(2, static_cast<std::int64_t>(size));
        s.step();
        s.reset();
        sum += first + i;
    }
    return sum;
}

// Two FULL connections to one new store with the table kv.
struct TwoConnections {
    testing::TempDir dir;
    const std::string path = dir.path + "/notify.db";
    std::unique_ptr<store::Store> a = open(path, true), b = open(path, true);
    store::Db& first = a->handle();
    store::Db& second = b->handle();
    TwoConnections() { create_table(first); }

    // 50 rows committed and the log emptied, then a write transaction of the
    // first connection left open, its 200 rows spilled (numbered 1000 on):
    // gathered, none in the file yet.
    void open_spilled_transaction() {
        insert(first, 50, 100, 0);
        store::exec(second, "PRAGMA wal_checkpoint(TRUNCATE)");
        store::exec(first, "PRAGMA cache_size = 16");
        store::exec(first, "BEGIN IMMEDIATE");
        insert(first, 200, 2000, 1000);
    }
};

}  // namespace

TEST_CASE("A FULL store writes its log through the gathering VFS; a NORMAL one does not") {
    testing::TempDir dir;
    CHECK(vfs_of(store::sqlite_handle(open(dir.path + "/full.db", true)->handle())) ==
          store::gathered_log_vfs());
    CHECK(vfs_of(store::sqlite_handle(open(dir.path + "/normal.db", false)->handle())) !=
          store::gathered_log_vfs());
}

TEST_CASE("A spilled transaction's frames reach the log only when it commits") {
    testing::TempDir dir;
    // The same transaction on each: pages spill to the log before the commit.
    auto before_commit = [&](const std::string& name, bool full) {
        const std::string path = dir.path + "/" + name;
        auto s = open(path, full);
        store::Db& db = s->handle();
        create_table(db);
        store::exec(db, "PRAGMA cache_size = 16");
        store::exec(db, "BEGIN IMMEDIATE");
        const long long log_before = file_size(path + "-wal");
        insert(db, 200, 2000, 0);
        const long long during = file_size(path + "-wal") - log_before;
        store::exec(db, "COMMIT");
        CHECK(file_size(path + "-wal") - log_before > 200 * 2000);
        return during;
    };
    CHECK(before_commit("normal.db", false) > 0);  // SQLite spills: written at once
    CHECK(before_commit("full.db", true) == 0);    // gathered until the commit's sync
}

TEST_CASE("Another connection reads every commit written through the gathering VFS") {
    TwoConnections two;
    store::Db& w = two.first;
    store::Db& r = two.second;
    store::exec(w, "PRAGMA cache_size = 32");  // large transactions spill mid-way
    std::mt19937 rng(7);
    std::int64_t next = 0, rows = 0, sum = 0;
    for (int t = 0; t < 300; ++t) {
        const int kind = static_cast<int>(rng() % 10);
        // Mostly small commits; some over the 1 MiB held at once; some rolled back.
        const int count = kind == 0 ? 700 : 1 + static_cast<int>(rng() % 30);
        const int size = kind == 0 ? 3000 : static_cast<int>(rng() % 600);
        store::exec(w, "BEGIN IMMEDIATE");
        const std::int64_t added = insert(w, count, size, next);
        next += count;
        if (kind == 1) {
            store::exec(w, "ROLLBACK");
        } else {
            store::exec(w, "COMMIT");
            rows += count;
            sum += added;
        }
        INFO("transaction " << t);
        REQUIRE(scalar(r, "SELECT count(*) FROM kv") == rows);
        REQUIRE(scalar(r, "SELECT sum(n) FROM kv") == sum);
        // Now and then the log is copied and started over from its first byte.
        if (t % 40 == 39) store::exec(r, "PRAGMA wal_checkpoint(TRUNCATE)");
    }
    CHECK(integrity(r) == "ok");
}

TEST_CASE("A rolled-back transaction's gathered frames never land on another writer's") {
    TwoConnections two;
    store::Db& first = two.first;
    store::Db& second = two.second;
    // An empty log: the rollback below reads nothing from it, so only the end
    // of the write transaction can hand its spilled frames on.
    two.open_spilled_transaction();
    store::exec(first, "ROLLBACK");
    // The other connection writes its commit where those frames were.
    store::exec(second, "BEGIN IMMEDIATE");
    insert(second, 100, 300, 100000);
    store::exec(second, "COMMIT");
    CHECK(scalar(first, "SELECT count(*) FROM kv") == 150);  // the first touches its log again
    store::exec(first, "BEGIN IMMEDIATE");
    insert(first, 10, 100, 200000);
    store::exec(first, "COMMIT");
    for (store::Db* db : {&first, &second}) {
        CHECK(scalar(*db, "SELECT count(*) FROM kv") == 160);
        CHECK(integrity(*db) == "ok");
    }
    two.a.reset();
    two.b.reset();
    auto again = open(two.path, true);
    CHECK(scalar(again->handle(), "SELECT count(*) FROM kv") == 160);
}

TEST_CASE("Gathered writes that cannot be handed on end their transaction, never published") {
    TwoConnections two;
    store::Db& first = two.first;
    store::Db& second = two.second;
    two.open_spilled_transaction();
    {
        FullDisk disk;
        FullDisk::full = true;
        // A statement that reads a spilled page first hands on what is gathered: it fails.
        CHECK_THROWS(store::exec(
            first, "INSERT INTO kv SELECT n + 100000, v FROM kv WHERE n BETWEEN 1000 AND 1003"));
    }
    // Whatever is tried next in that transaction, none of it is published.
    try {
        insert(first, 1, 10, 999999);
        store::exec(first, "COMMIT");
    } catch (const store::StoreFailure&) {
    }
    if (first.in_transaction()) store::exec(first, "ROLLBACK");
    CHECK(scalar(second, "SELECT count(*) FROM kv WHERE n >= 1000 AND n < 999999") == 0);
    CHECK(integrity(second) == "ok");
    // And the next transaction is written as before.
    const std::int64_t before = scalar(second, "SELECT count(*) FROM kv");
    insert(first, 5, 100, 500000);
    CHECK(scalar(second, "SELECT count(*) FROM kv") == before + 5);
    CHECK(integrity(second) == "ok");
    CHECK(integrity(first) == "ok");
}

TEST_CASE("A log whose commits are padded to the sector is not gathered") {
    // Without powersafe overwrite SQLite writes part of a commit's padding after
    // its sync: such a log is written as it comes.
    testing::TempDir dir;
    const std::string path = dir.path + "/notify.db";
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(("file:" + path + "?psow=0").c_str(), &raw,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                            store::gathered_log_vfs()) == SQLITE_OK);
    store::SqliteDb db(raw, 5000);
    auto reader = open(path, false);
    store::exec(db, "PRAGMA journal_mode = WAL");
    store::exec(db, "PRAGMA synchronous = FULL");
    create_table(db);
    store::exec(db, "PRAGMA cache_size = 16");
    store::exec(db, "BEGIN IMMEDIATE");
    const long long log_before = file_size(path + "-wal");
    insert(db, 200, 2000, 0);
    CHECK(file_size(path + "-wal") > log_before);  // spilled pages written at once
    store::exec(db, "COMMIT");
    for (int t = 1; t <= 20; ++t) {
        insert(db, 1, 100, 1000 + t);
        REQUIRE(scalar(reader->handle(), "SELECT count(*) FROM kv") == 200 + t);
    }
}

TEST_CASE("A process that ends without closing its store loses no commit") {
    testing::TempDir dir;
    const std::string path = dir.path + "/notify.db";
    create_table(open(path, true)->handle());
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        auto s = store::Store::open(path, {});
        if (!s) _exit(2);
        store::Db& db = (*s)->handle();
        for (int t = 0; t < 50; ++t) {
            store::exec(db, "BEGIN IMMEDIATE");
            insert(db, 20, 300, t * 20);
            store::exec(db, "COMMIT");
        }
        // A transaction under way, spilled to the log, never committed.
        store::exec(db, "PRAGMA cache_size = 16");
        store::exec(db, "BEGIN IMMEDIATE");
        insert(db, 500, 2000, 1000);
        _exit(0);  // no close, no destructor: as a crash leaves it
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    auto after = open(path, true);
    CHECK(scalar(after->handle(), "SELECT count(*) FROM kv") == 1000);
    CHECK(scalar(after->handle(), "SELECT max(n) FROM kv") == 999);
    CHECK(integrity(after->handle()) == "ok");
}
