// test_mariadb_db.cpp - the store's connection to MariaDB (store/mariadb_db.hpp)
// and its schema there (store/schema_mariadb.hpp), against a real server.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <string>

#include "mariadb_server.hpp"
#include "store/mariadb_db.hpp"
#include "store/schema.hpp"
#include "store/schema_mariadb.hpp"

using namespace notify;
using store::Stmt;

namespace {

std::int64_t number(store::Db& db, const std::string& sql) {
    Stmt s(db, sql);
    return s.first([](Stmt& r) { return r.integer(0); }).value_or(-1);
}

std::string text(store::Db& db, const std::string& sql) {
    Stmt s(db, sql);
    return s.first([](Stmt& r) { return r.text(0); }).value_or("(no row)");
}

void make_table(store::Db& db) {
    db.exec(
        "CREATE TABLE kv (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "k VARBINARY(255) NOT NULL UNIQUE, v LONGBLOB, n BIGINT NOT NULL DEFAULT 0)");
}

}  // namespace

TEST_CASE("?N parameters are rewritten to positions, outside quotes only") {
    auto p = store::positional("SELECT ?2, ?1, '?3', `a?`, \"?\", ?, ?1");
    CHECK(p.sql == "SELECT ?, ?, '?3', `a?`, \"?\", ?, ?");
    CHECK(p.parameters == std::vector<int>{2, 1, 3, 1});
    auto q = store::positional("UPDATE t SET a = ? WHERE b = ? AND c = 'it''s ?'");
    CHECK(q.sql == "UPDATE t SET a = ? WHERE b = ? AND c = 'it''s ?'");
    CHECK(q.parameters == std::vector<int>{1, 2});
}

TEST_CASE("MariaDB: values go in and come out as SQLite gives them", "[mariadb]") {
    store::MariaDb db(testing::fresh_mariadb_database());
    CHECK(db.dialect() == store::Dialect::mariadb);
    make_table(db);
    const std::string big(3 << 20, 'x');  // longer than any buffer sized before
    const std::string bytes("a\0b\xff\n'\\", 7);
    Stmt put(db, "INSERT INTO kv (k, v, n) VALUES (?1, ?2, ?3)");
    put.bind(1, "big").bind_blob(2, big).bind(3, std::int64_t{1} << 40).run();
    put.bind(1, "bytes").bind(2, bytes).bind(3, -7).run();
    put.bind(1, "empty").bind(2, std::string_view()).bind(3, 0).run();
    put.bind(1, "null").bind(3, 1).run();  // ?2 unbound: NULL
    CHECK(text(db, "SELECT v FROM kv WHERE k = 'big'") == big);
    CHECK(text(db, "SELECT v FROM kv WHERE k = 'bytes'") == bytes);
    CHECK(number(db, "SELECT n FROM kv WHERE k = 'big'") == (std::int64_t{1} << 40));
    CHECK(number(db, "SELECT n FROM kv WHERE k = 'bytes'") == -7);
    CHECK(number(db, "SELECT v IS NULL FROM kv WHERE k = 'empty'") == 0);
    CHECK(number(db, "SELECT v IS NULL FROM kv WHERE k = 'null'") == 1);
    CHECK(text(db, "SELECT v FROM kv WHERE k = 'null'").empty());
    CHECK(text(db, "SELECT n FROM kv WHERE k = 'bytes'") == "-7");
    CHECK(number(db, "SELECT SUM(n) FROM kv WHERE k <> 'big'") == -6);  // a DECIMAL
    // Compared byte by byte, as SQLite compares text.
    CHECK(number(db, "SELECT count(*) FROM kv WHERE k = 'BIG'") == 0);
    CHECK(text(db, "SELECT 'a' || 'b'") == "ab");

    SECTION("a statement's rows are read whole: others run between its steps") {
        Stmt all(db, "SELECT k FROM kv ORDER BY seq");
        REQUIRE(all.step());
        CHECK(all.text(0) == "big");
        Stmt(db, "DELETE FROM kv WHERE k = 'bytes'").run();
        REQUIRE(all.step());
        CHECK(all.view(0) == "bytes");
        all.reset();
        CHECK(all.collect([](Stmt& r) { return r.text(0); }).size() == 3);
    }
}

TEST_CASE("MariaDB: changes and numbers given to rows, as SQLite counts them", "[mariadb]") {
    store::MariaDb db(testing::fresh_mariadb_database());
    make_table(db);
    Stmt put(db, "INSERT INTO kv (k, n) VALUES (?, ?)");
    put.bind(1, "a").bind(2, 1).run();
    CHECK(db.last_insert_id() == 1);
    put.bind(1, "b").bind(2, 1).run();
    CHECK(db.last_insert_id() == 2);
    Stmt set(db, "UPDATE kv SET n = ? WHERE n = 1");
    set.bind(1, 1).run();  // nothing changes, but both rows match
    CHECK(db.changes() == 2);
    CHECK(number(db, "SELECT count(*) FROM kv") == 2);  // a read leaves the count alone
    CHECK(db.changes() == 2);
    CHECK(db.last_insert_id() == 2);
    Stmt(db, "DELETE FROM kv WHERE k = 'none'").run();
    CHECK(db.changes() == 0);
    Stmt(db, "INSERT IGNORE INTO kv (k) VALUES ('a')").run();
    CHECK(db.changes() == 0);
    try {
        put.bind(1, "a").bind(2, 5).run();
        FAIL("a duplicate key was taken");
    } catch (const store::StoreFailure& f) {
        CHECK(f.code == SQLITE_CONSTRAINT);
        CHECK(store::to_error(f).kind == ErrorKind::internal);
    }
    CHECK_THROWS_AS(Stmt(db, "SELEKT 1"), store::StoreFailure);
}

TEST_CASE("MariaDB: transactions, snapshots and the one writer at a time", "[mariadb]") {
    const store::MariaTarget target = testing::fresh_mariadb_database();
    store::MariaDb a(target);
    store::migrate_mariadb(a, 5000);
    make_table(a);
    store::MariaTarget impatient = target;
    impatient.timeout = 1000;
    store::MariaDb b(impatient);

    {
        store::Transaction tx(a);
        CHECK(a.in_transaction());
        Stmt(a, "INSERT INTO kv (k) VALUES ('rolled back')").run();
    }
    CHECK_FALSE(a.in_transaction());
    CHECK(number(b, "SELECT count(*) FROM kv") == 0);

    const std::int64_t begun = a.writes_begun();
    {
        store::Transaction tx(a);
        Stmt(a, "INSERT INTO kv (k) VALUES ('first')").run();
        // The other connection's write transaction waits for this one, and
        // gives up after its lock wait.
        try {
            store::Transaction other(b);
            FAIL("two write transactions were open at once");
        } catch (const store::StoreFailure& f) {
            CHECK(f.code == SQLITE_BUSY);
            CHECK(store::to_error(f).kind == ErrorKind::unavailable);
        }
        tx.commit();
    }
    CHECK(a.writes_begun() == begun + 1);
    {
        store::Transaction tx(b);
        Stmt(b, "INSERT INTO kv (k) VALUES ('second'), ('third')").run();
        // No transaction inside another: MariaDB would commit the first.
        CHECK_THROWS_AS(store::Transaction(b), store::StoreFailure);
        CHECK(b.in_transaction());
        tx.commit();
    }
    CHECK(b.changes() == 2);  // BEGIN, the writer row and COMMIT count no rows
    CHECK(a.writes_begun() == begun + 2);

    {
        store::ReadTransaction reads(a);
        CHECK(a.in_transaction());
        CHECK(number(a, "SELECT count(*) FROM kv") == 3);
        Stmt(b, "INSERT INTO kv (k) VALUES ('fourth')").run();  // b commits
        CHECK(number(a, "SELECT count(*) FROM kv") == 3);       // the same snapshot
    }
    CHECK_FALSE(a.in_transaction());
    CHECK(number(a, "SELECT count(*) FROM kv") == 4);
}

TEST_CASE("MariaDB: a lost connection is made again, never in a transaction", "[mariadb]") {
    const store::MariaTarget target = testing::fresh_mariadb_database();
    store::MariaDb db(target);
    store::MariaDb admin(target);
    store::migrate_mariadb(db, 5000);
    make_table(db);
    Stmt count(db, "SELECT count(*) FROM kv");
    auto kill = [&] {
        const std::int64_t id = number(db, "SELECT CONNECTION_ID()");
        admin.exec(("KILL CONNECTION " + std::to_string(id)).c_str());
    };

    kill();
    // The first statement finds it gone; the next connects and prepares again.
    CHECK_THROWS_AS(count.first([](Stmt& r) { return r.integer(0); }), store::StoreFailure);
    CHECK(count.first([](Stmt& r) { return r.integer(0); }) == 0);

    store::Transaction tx(db);
    Stmt(db, "INSERT INTO kv (k) VALUES ('lost')").run();
    kill();
    CHECK_THROWS_AS(Stmt(db, "INSERT INTO kv (k) VALUES ('after')").run(), store::StoreFailure);
    try {  // not on a new connection outside the transaction
        Stmt(db, "INSERT INTO kv (k) VALUES ('outside')").run();
        FAIL("a statement ran outside the transaction it was written for");
    } catch (const store::StoreFailure& f) {
        CHECK(f.message.find("the connection was lost") != std::string::npos);
    }
    db.rollback();
    CHECK(number(db, "SELECT count(*) FROM kv") == 0);
}

TEST_CASE("MariaDB: a server that refuses names where and who", "[mariadb]") {
    const store::MariaTarget target = testing::fresh_mariadb_database();
    store::MariaDb admin(target);
    admin.exec("CREATE USER IF NOT EXISTS 'notify'@'localhost' IDENTIFIED BY 'right'");
    store::MariaTarget wrong = target;
    wrong.user = "notify";
    wrong.password = "wrong";
    try {
        store::MariaDb db(wrong);
        FAIL("a wrong password was taken");
    } catch (const store::StoreFailure& f) {
        CHECK(store::to_error(f).kind == ErrorKind::unavailable);
        CHECK(f.message.find(target.socket) != std::string::npos);
        CHECK(f.message.find("'notify'") != std::string::npos);
        CHECK(f.message.find("wrong") == std::string::npos);  // never the password
    }
    store::MariaTarget away;
    away.host = "127.0.0.1";
    away.port = 1;  // nothing listens there
    away.user = "notify";
    try {
        store::MariaDb db(away);
        FAIL("a server that is not there was reached");
    } catch (const store::StoreFailure& f) {
        CHECK(store::to_error(f).kind == ErrorKind::unavailable);
        CHECK(f.message.find("127.0.0.1:1") != std::string::npos);
    }
}

TEST_CASE("MariaDB: the schema is made once, at the newest version", "[mariadb]") {
    store::MariaDb db(testing::fresh_mariadb_database());
    CHECK(store::current_schema_version(db) == 0);
    store::migrate_mariadb(db, 5000);
    CHECK(store::current_schema_version(db) == store::newest_schema_version());
    const std::int64_t tables = number(
        db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()");
    CHECK(tables == 27);               // the store's 25, notify_writer and notify_schema
    store::migrate_mariadb(db, 5000);  // again: nothing to do
    CHECK(number(db,
                 "SELECT count(*) FROM information_schema.tables "
                 "WHERE table_schema = DATABASE()") == tables);
    CHECK(number(db, "SELECT count(*) FROM notify_writer") == 1);

    db.exec("UPDATE notify_schema SET version = version + 1");
    try {
        store::migrate_mariadb(db, 5000);
        FAIL("a newer schema was taken");
    } catch (const store::StoreFailure& f) {
        CHECK(f.message.find("newer than this build knows") != std::string::npos);
    }
}

TEST_CASE("MariaDB: a store made at version 18 is brought up to the newest", "[mariadb]") {
    store::MariaDb db(testing::fresh_mariadb_database());
    store::migrate_mariadb(db, 5000);
    // As version 18 made it: text of the API's 256 bytes did not fit.
    db.exec(
        "ALTER TABLE notifications MODIFY locale VARBINARY(64) NOT NULL DEFAULT '', "
        "MODIFY category VARBINARY(255) NOT NULL DEFAULT '', "
        "MODIFY template VARBINARY(255) NOT NULL DEFAULT ''; "
        "ALTER TABLE deliveries MODIFY locale VARBINARY(64) NOT NULL DEFAULT ''; "
        "ALTER TABLE inbox_items MODIFY category VARBINARY(255) NOT NULL DEFAULT ''; "
        "ALTER TABLE inbox_events MODIFY category VARBINARY(255) NOT NULL DEFAULT ''; "
        "ALTER TABLE preferences MODIFY category VARBINARY(255) NOT NULL DEFAULT ''; "
        "ALTER TABLE unsubscribed_addresses MODIFY category VARBINARY(255) NOT NULL "
        "DEFAULT ''; "
        "UPDATE notify_schema SET version = 18");
    auto width = [&](const char* table, const char* column) {
        return number(db, (std::string("SELECT character_maximum_length FROM "
                                       "information_schema.columns WHERE table_schema = DATABASE() "
                                       "AND table_name = '") +
                           table + "' AND column_name = '" + column + "'")
                              .c_str());
    };
    CHECK(width("notifications", "locale") == 64);
    CHECK(width("preferences", "category") == 255);
    store::migrate_mariadb(db, 5000);
    CHECK(store::current_schema_version(db) == store::newest_schema_version());
    for (const char* table : {"notifications", "deliveries"}) CHECK(width(table, "locale") == 256);
    for (const char* table :
         {"notifications", "inbox_items", "inbox_events", "preferences", "unsubscribed_addresses"})
        CHECK(width(table, "category") == 256);
    CHECK(width("notifications", "template") == 256);
}
