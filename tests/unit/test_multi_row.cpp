// test_multi_row.cpp - many rows to a statement (store/multi_row.hpp), on
// SQLite and on a real MariaDB server: every row written in order, each row's
// number as the table gave it, rows updated and read by key, and no statement
// larger than a server takes.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mariadb_server.hpp"
#include "store/mariadb_db.hpp"
#include "store/multi_row.hpp"
#include "store/schema_mariadb.hpp"
#include "store/sqlite_db.hpp"

using namespace notify;
using store::MultiRow;
using store::Stmt;

namespace {

std::unique_ptr<store::Db> open_sqlite() {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
    auto db = std::make_unique<store::SqliteDb>(raw, 1000);
    db->exec(
        "CREATE TABLE kv (seq INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE, v BLOB)");
    return db;
}

// The store's schema (its writers' turn, notify_writer) and a table of the test's own.
std::unique_ptr<store::Db> open_mariadb(const store::MariaTarget& target) {
    auto db = std::make_unique<store::MariaDb>(target);
    store::migrate_mariadb(*db, 5000);
    db->exec(
        "CREATE TABLE kv (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "k VARBINARY(255) NOT NULL UNIQUE, v LONGBLOB)");
    return db;
}

// Inserts keys `prefix`0 .. `prefix`n-1 with `value` each, in one transaction
// (its writes held to the commit when `held`), and returns the rows' numbers.
std::vector<std::int64_t> put(store::Db& db, MultiRow& insert, const std::string& prefix, size_t n,
                              const std::string& value = "v", bool held = false) {
    std::optional<store::HeldWrites> holding;
    if (held) holding.emplace(db);
    std::vector<std::int64_t> numbers(n, 0);
    store::Transaction tx(db);
    insert.run(
        n,
        [&](Stmt& s, int p, size_t i) {
            s.bind(p, prefix + std::to_string(i)).bind_blob(p + 1, value);
        },
        [&](size_t) { return value.size(); },
        [&](size_t i, std::int64_t number) { numbers[i] = number; });
    tx.commit();
    return numbers;
}

// Each key and its number as the table holds them, in the order of numbers.
std::vector<std::pair<std::string, std::int64_t>> stored(store::Db& db) {
    Stmt all(db, "SELECT k, seq FROM kv ORDER BY seq");
    return all.collect([](Stmt& r) { return std::pair{r.text(0), r.integer(1)}; });
}

void check_rows_and_numbers(store::Db& db, bool held = false) {
    MultiRow insert = MultiRow::insert(db, "INSERT INTO kv (k, v)", "(?,?)");
    CHECK(put(db, insert, "none", 0, "v", held).empty());
    const auto one = put(db, insert, "a", 1, "v", held);
    // 64 + 32 + 5 rows: three statements, numbered on from where the last ended.
    const auto many = put(db, insert, "b", 101, "v", held);
    // The newest rows pruned: their numbers are not given again.
    Stmt(db, "DELETE FROM kv WHERE seq > ?").bind(1, many[49]).run();
    const auto after = put(db, insert, "c", 3, "v", held);

    REQUIRE(one.size() == 1);
    REQUIRE(many.size() == 101);
    REQUIRE(after.size() == 3);
    CHECK(many.front() == one.front() + 1);
    CHECK(after.front() == many.back() + 1);
    std::map<std::string, std::int64_t> given;
    given["a0"] = one[0];
    for (size_t i = 0; i < 50; ++i) given["b" + std::to_string(i)] = many[i];
    for (size_t i = 0; i < after.size(); ++i) given["c" + std::to_string(i)] = after[i];
    const auto rows = stored(db);
    CHECK(rows.size() == 1 + 50 + 3);
    for (const auto& [key, seq] : rows) {
        INFO(key);
        CHECK(given.at(key) == seq);
    }
    // Rows keep the order they were given in.
    CHECK(std::is_sorted(rows.begin(), rows.end(),
                         [&](const auto& x, const auto& y) { return x.second < y.second; }));
}

// 70 rows (64 + 6) updated by key, a column kept where its new value is empty.
void check_updates(store::Db& db) {
    MultiRow insert = MultiRow::insert(db, "INSERT INTO kv (k, v)", "(?,?)");
    put(db, insert, "k", 80, "old");
    MultiRow update =
        MultiRow::update(db, "kv", "k", {{"v", "CASE WHEN $ = '' THEN v ELSE $ END"}});
    store::Transaction tx(db);
    update.run(70, [](Stmt& s, int p, size_t i) {
        s.bind(p, "k" + std::to_string(i)).bind(p + 1, i % 7 == 0 ? "" : "new" + std::to_string(i));
    });
    tx.commit();
    Stmt all(db, "SELECT k, v FROM kv ORDER BY seq");
    const auto rows = all.collect([](Stmt& r) { return std::pair{r.text(0), r.text(1)}; });
    REQUIRE(rows.size() == 80);
    for (size_t i = 0; i < rows.size(); ++i) {
        INFO(rows[i].first);
        CHECK(rows[i].second == (i >= 70 || i % 7 == 0 ? "old" : "new" + std::to_string(i)));
    }
}

// The rows of 70 keys (64 + 6) read at once; keys not in the table give none.
void check_select(store::Db& db) {
    MultiRow insert = MultiRow::insert(db, "INSERT INTO kv (k, v)", "(?,?)");
    put(db, insert, "k", 80, "x");
    MultiRow select = MultiRow::select(db, "SELECT k FROM kv", "k");
    std::vector<std::string> keys;
    for (int i = 0; i < 70; ++i) keys.push_back("k" + std::to_string(i * 2));  // k0 .. k138
    std::set<std::string> found;
    select.read(
        keys.size(), [&](Stmt& s, int p, size_t i) { s.bind(p, keys[i]); },
        [&](Stmt& r) { CHECK(found.insert(r.text(0)).second); });
    CHECK(found.size() == 40);  // k0, k2, ... k78
    CHECK(found.count("k78") == 1);
    CHECK(found.count("k80") == 0);
}

}  // namespace

TEST_CASE("Many rows read by key in a few statements: SQLite") {
    auto db = open_sqlite();
    check_select(*db);
}

TEST_CASE("Many rows read by key in a few statements: MariaDB", "[mariadb]") {
    auto db = open_mariadb(testing::fresh_mariadb_database());
    check_select(*db);
}

TEST_CASE("Many rows updated by key in a statement: SQLite") {
    auto db = open_sqlite();
    check_updates(*db);
}

TEST_CASE("Many rows updated by key in a statement: MariaDB", "[mariadb]") {
    auto db = open_mariadb(testing::fresh_mariadb_database());
    check_updates(*db);
}

TEST_CASE("Many rows to a statement, numbered as the table numbers them: SQLite") {
    auto db = open_sqlite();
    check_rows_and_numbers(*db);
}

TEST_CASE("Many rows to a statement, numbered as the table numbers them: MariaDB", "[mariadb]") {
    const store::MariaTarget target = testing::fresh_mariadb_database();
    auto db = open_mariadb(target);
    check_rows_and_numbers(*db);
}

TEST_CASE("Many rows held to the commit, numbered as the table numbers them: SQLite") {
    auto db = open_sqlite();  // nothing is held: no round trips to save
    check_rows_and_numbers(*db, true);
}

TEST_CASE("Many rows held to the commit, numbered as the table numbers them: MariaDB",
          "[mariadb]") {
    auto db = open_mariadb(testing::fresh_mariadb_database());
    check_rows_and_numbers(*db, true);
}

TEST_CASE("MariaDB: held writes go as text with the commit, values intact", "[mariadb]") {
    auto db = open_mariadb(testing::fresh_mariadb_database());
    MultiRow insert = MultiRow::insert(*db, "INSERT INTO kv (k, v)", "(?,?)");
    // Statements the session executed as prepared ones.
    auto executed = [&] {
        Stmt s(*db,
               "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
               "WHERE VARIABLE_NAME = 'COM_STMT_EXECUTE'");
        return s.first([](Stmt& r) { return std::stoll(r.text(0)); }).value_or(-1);
    };
    const auto before = executed();
    put(*db, insert, "prepared", 101);
    const auto between = executed();
    put(*db, insert, "held", 101, "v", true);
    const auto after = executed();
    CHECK(between - before == 3 + 1);  // three statements, and the count's own
    CHECK(after - between == 1);       // the count's own only

    // More than one sending's worth (250 rows of 5,000 bytes, as hex 2.5 MB):
    // some go before the commit, and every row is numbered as stored.
    const auto big = put(*db, insert, "big", 250, std::string(5000, 'b'), true);
    CHECK(executed() - after == 1);
    Stmt numbered(*db, "SELECT seq FROM kv WHERE k LIKE 'big%' ORDER BY seq");
    CHECK(numbered.collect([](Stmt& r) { return r.integer(0); }) == big);

    // Text and bytes a literal must escape, as they were given.
    std::string bytes = "it's \\ \"q\" \n";
    bytes += '\0';
    const char tail[] = "\xff\x00\x27\x5c end";
    bytes.append(tail, sizeof tail - 1);
    std::string key = "o'k\\";
    key += '\0';
    put(*db, insert, key, 2, bytes, true);
    Stmt read(*db, "SELECT v FROM kv WHERE k = ?");
    read.bind(1, key + "1");
    CHECK(read.first([](Stmt& r) { return r.text(0); }).value_or("") == bytes);

    // A read in the same transaction sees what was held before it.
    store::HeldWrites held(*db);
    store::Transaction tx(*db);
    insert.run(1, [&](Stmt& s, int p, size_t) { s.bind(p, std::string("seen")); });
    Stmt seen(*db, "SELECT count(*) FROM kv WHERE k = 'seen'");
    CHECK(seen.first([](Stmt& r) { return r.integer(0); }).value_or(0) == 1);
    tx.commit();
}

TEST_CASE("MariaDB: a held write refused is thrown by the commit, and nothing of it stays",
          "[mariadb]") {
    auto db = open_mariadb(testing::fresh_mariadb_database());
    MultiRow insert = MultiRow::insert(*db, "INSERT INTO kv (k, v)", "(?,?)");
    put(*db, insert, "k", 3);
    auto count = [&] {
        Stmt s(*db, "SELECT count(*) FROM kv");
        return s.first([](Stmt& r) { return r.integer(0); }).value_or(-1);
    };
    {
        // k0 .. k9 after new0 .. new9: k0 .. k2 are there already.
        store::HeldWrites held(*db);
        std::vector<std::int64_t> numbers;
        bool at_commit = false;
        try {
            store::Transaction tx(*db);
            for (const char* prefix : {"new", "k"})
                insert.run(
                    10, [&](Stmt& s, int p, size_t i) { s.bind(p, prefix + std::to_string(i)); },
                    {}, [&](size_t, std::int64_t n) { numbers.push_back(n); });
            CHECK(numbers.empty());  // nothing has run yet
            at_commit = true;
            tx.commit();
            FAIL("the commit took a duplicate key");
        } catch (const store::StoreFailure& f) {
            CHECK(at_commit);
            CHECK(f.code == SQLITE_CONSTRAINT);
            CHECK(f.message.find("Duplicate") != std::string::npos);
        }
        CHECK(numbers.size() == 10);  // the statement that ran, not the refused one
        CHECK_FALSE(db->in_transaction());
        // Rolled back without a commit: nothing held reaches the server.
        {
            store::Transaction tx(*db);
            insert.run(1, [&](Stmt& s, int p, size_t) { s.bind(p, std::string("dropped")); });
        }
    }
    CHECK(count() == 3);
    put(*db, insert, "again", 2, "v", true);  // the connection goes on
    CHECK(count() == 5);
}

TEST_CASE("MariaDB: rows are numbered one by one whatever the server's step", "[mariadb]") {
    const store::MariaTarget target = testing::fresh_mariadb_database();
    auto admin = std::make_unique<store::MariaDb>(target);
    admin->exec("SET GLOBAL auto_increment_increment = 5");
    struct Restore {
        store::Db& db;
        ~Restore() { db.exec("SET GLOBAL auto_increment_increment = 1"); }
    } restore{*admin};
    auto db = open_mariadb(target);  // a new session, which the global step would reach
    check_rows_and_numbers(*db);
}

TEST_CASE("MariaDB: a batch larger than a packet goes in statements that fit", "[mariadb]") {
    const store::MariaTarget target = testing::fresh_mariadb_database();
    auto db = open_mariadb(target);
    Stmt packet(*db, "SELECT @@max_allowed_packet");
    const auto limit = packet.first([](Stmt& r) { return r.integer(0); }).value_or(0);
    REQUIRE(limit > 0);
    // Rows that would overflow the packet together, each under it alone.
    const size_t each = std::min<size_t>(static_cast<size_t>(limit) / 3, 8u << 20);
    const size_t n = static_cast<size_t>(limit) / each + 2;
    MultiRow insert = MultiRow::insert(*db, "INSERT INTO kv (k, v)", "(?,?)");
    const bool held = GENERATE(false, true);
    const auto numbers = put(*db, insert, "big", n, std::string(each, 'x'), held);
    REQUIRE(numbers.size() == n);
    Stmt sizes(*db, "SELECT count(*), min(length(v)) FROM kv");
    sizes.step();
    CHECK(sizes.integer(0) == static_cast<std::int64_t>(n));
    CHECK(sizes.integer(1) == static_cast<std::int64_t>(each));
    sizes.reset();
}
