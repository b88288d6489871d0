// test_store_backends.cpp - choosing the store: store.backend, store.url and
// store.password in notify.toml(5) (store/mysql_url.hpp), the schema being the
// same on both backends, and store_copy between them (store/store_copy.hpp).
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>

#include "config.hpp"
#include "mariadb_server.hpp"
#include "store/configured_store.hpp"
#include "store/mysql_url.hpp"
#include "store/schema.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_copy.hpp"
#include "temp_dir.hpp"

using namespace notify;
using store::Stmt;

namespace {

std::string refusal(const std::string& url) {
    auto t = store::parse_mysql_url(url);
    return t ? std::string("(read)") : t.error().message;
}

std::int64_t count(store::Store& s, const std::string& table) {
    Stmt c(s.handle(), "SELECT count(*) FROM `" + table + "`");
    return c.first([](Stmt& r) { return r.integer(0); }).value_or(-1);
}

// Every table's rows as text, sorted: NULL, numbers, text and bytes told apart.
std::map<std::string, std::vector<std::string>> rows_of(store::Store& s) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& t : store::store_tables(s.handle())) {
        std::string columns;
        for (const auto& c : t.columns) columns += (columns.empty() ? "`" : ", `") + c + "`";
        Stmt all(s.handle(), "SELECT " + columns + " FROM `" + t.name + "`");
        auto& rows = out[t.name];
        while (all.step()) {
            std::string row;
            for (int i = 0; i < static_cast<int>(t.columns.size()); ++i)
                row += all.is_null(i) ? std::string("NULL|") : std::string(all.view(i)) + "|";
            rows.push_back(row);
        }
        all.reset();
        std::sort(rows.begin(), rows.end());
    }
    return out;
}

void fill(store::Store& s) {
    auto& db = s.handle();
    db.exec(
        "INSERT INTO users (id, name, locale, timezone, created_at, updated_at) VALUES "
        "('u1', 'Zhang San 张三', 'zh-CN', '', 1, 2), ('u2', '', 'en', 'UTC', 3, 4)");
    db.exec("INSERT INTO `groups` (name, created_at) VALUES ('staff', 5)");
    Stmt mac(s.handle(),
             "INSERT INTO otp_codes (recipient, code_mac, channel, created_at, expires_at, "
             "max_attempts, window_start, window_sends) "
             "VALUES ('+8613800000000', ?1, 'sms', 1, 2, 5, 1, 1)");
    mac.bind_blob(1, std::string("\0\xff\x01 mac", 6)).run();
    // Numbers given and pruned: never given again, in any copy.
    for (int i = 0; i < 3; ++i)
        db.exec(
            "INSERT INTO inbox_events (user_id, kind, item_seq, at) VALUES ('u1', 'new', 1, 1)");
    db.exec("DELETE FROM inbox_events");
}

std::int64_t next_event(store::Store& s) {
    Stmt add(s.handle(),
             "INSERT INTO inbox_events (user_id, kind, item_seq, at) VALUES ('u2', 'new', 2, 2)");
    add.run();
    return s.handle().last_insert_id();
}

}  // namespace

TEST_CASE("store.url names a MySQL server, user and database, never a password") {
    auto t = store::parse_mysql_url("mysql://notify@db1.example.com:3307/notify_prod");
    REQUIRE(t);
    CHECK(t->host == "db1.example.com");
    CHECK(t->port == 3307);
    CHECK(t->user == "notify");
    CHECK(t->database == "notify_prod");
    CHECK(t->socket.empty());
    CHECK(t->password.empty());

    t = store::parse_mysql_url("mariadb://app%40ops@[::1]/n");
    REQUIRE(t);
    CHECK(t->host == "::1");
    CHECK(t->port == 3306);
    CHECK(t->user == "app@ops");

    t = store::parse_mysql_url("mysql://notify@localhost/notify?socket=/run/mysqld/mysqld.sock");
    REQUIRE(t);
    CHECK(t->socket == "/run/mysqld/mysqld.sock");

    CHECK(refusal("mysql://notify:secret@db1/notify").find("store.password") != std::string::npos);
    CHECK(refusal("mysql://notify:secret@db1/notify").find("secret") == std::string::npos);
    CHECK(refusal("mysql://notify:secret@db1/notify").find("notify:********@db1") !=
          std::string::npos);
    CHECK(refusal("mysql://u:pa@ssw0rd@h/db").find("ssw0rd") == std::string::npos);
    CHECK(refusal("mysql://u:pa@ssw0rd@h/db").find("u:********@h/db") != std::string::npos);
    CHECK(refusal("mysql://u@h/db?password=hunter2").find("hunter2") == std::string::npos);
    CHECK(refusal("mysql://u@::1/db").find("brackets") != std::string::npos);
    CHECK(refusal("mysql://u@[::1]:/db").find("port is empty") != std::string::npos);
    CHECK(refusal("mysql://u@127.0.0.1/db?socket=/s").find("localhost and no port") !=
          std::string::npos);
    CHECK(refusal("mysql://u@localhost:3307/db?socket=/s").find("localhost and no port") !=
          std::string::npos);
    CHECK(refusal("postgres://u@h/d").find("must begin with mysql://") != std::string::npos);
    CHECK(refusal("mysql://db1/notify").find("user is missing") != std::string::npos);
    CHECK(refusal("mysql://u@db1").find("database is missing") != std::string::npos);
    CHECK(refusal("mysql://u@db1/no;drop").find("database must be") != std::string::npos);
    CHECK(refusal("mysql://u@db1:99999/n").find("port") != std::string::npos);
    CHECK(refusal("mysql://u@db1:/n").find("port is empty") != std::string::npos);
    CHECK(refusal("mysql://u@[::1/n").find("']'") != std::string::npos);
    CHECK(refusal("mysql://u@/n").find("host is missing") != std::string::npos);
    CHECK(refusal("mysql://u@h/n?ssl=1").find("unknown parameter 'ssl'") != std::string::npos);
    CHECK(refusal("mysql://u@h/n?socket=rel").find("absolute") != std::string::npos);
    CHECK(refusal("mysql://u%0@h/n").find("user") != std::string::npos);
}

TEST_CASE("[store] chooses the backend, and says what is wrong with it") {
    auto c = parse_config("", "t.toml");
    REQUIRE(c);
    CHECK(c->store.on_file());
    CHECK(c->store.where() == c->store.path);

    c = parse_config(
        "[store]\nbackend = \"mysql\"\nurl = \"mysql://notify@127.0.0.1/notify\"\n"
        "password = \"env:NOTIFY_DB_PW\"\n",
        "t.toml");
    REQUIRE(c);
    CHECK_FALSE(c->store.on_file());
    CHECK(c->store.where() == "mysql://notify@127.0.0.1/notify");
    CHECK(c->store.password == "env:NOTIFY_DB_PW");

    auto refused = [](const std::string& text) {
        auto r = parse_config(text, "t.toml");
        return r ? std::string("(accepted)") : r.error().message;
    };
    CHECK(refused("[store]\nbackend = \"postgres\"\n") ==
          "t.toml:2: 'store.backend' must be \"sqlite\" or \"mysql\"");
    CHECK(refused("[store]\nbackend = \"mysql\"\n").find("needs 'store.url'") != std::string::npos);
    CHECK(refused("[store]\nurl = \"mysql://u@h/n\"\n").find("is for store.backend") !=
          std::string::npos);
    CHECK(refused("[store]\nbackend = \"mysql\"\nurl = \"mysql://u:pw@h/n\"\n")
              .find("t.toml:3: store.url") == 0);
}

TEST_CASE("a password reference that cannot be read is named, the store is not opened") {
    ::unsetenv("NOTIFY_TEST_NO_SUCH_PASSWORD");
    Config::Store where;
    where.backend = Config::Store::Backend::mysql;
    where.url = "mysql://notify@127.0.0.1:1/notify";
    where.password = "env:NOTIFY_TEST_NO_SUCH_PASSWORD";
    auto s = store::open_configured(where, {});
    REQUIRE_FALSE(s);
    CHECK(s.error().kind == ErrorKind::unavailable);
    CHECK(s.error().message.find("store.password: ") != std::string::npos);
    CHECK(s.error().message.find("NOTIFY_TEST_NO_SUCH_PASSWORD") != std::string::npos);
}

TEST_CASE("a SQLite store newer than this build is refused, never migrated") {
    testing::TempDir dir;
    const std::string path = dir.path + "/notify.db";
    {
        auto s = store::Store::open(path, {});
        REQUIRE(s);
        CHECK((*s)->schema_found() == 0);
        CHECK((*s)->schema_version() == store::newest_schema_version());
        const std::string newer =
            "PRAGMA user_version = " + std::to_string(store::newest_schema_version() + 1);
        (*s)->handle().exec(newer.c_str());
    }
    auto again = store::Store::open(path, {});
    REQUIRE_FALSE(again);
    CHECK(again.error().kind == ErrorKind::unavailable);
    CHECK(again.error().message.find("newer than this build knows") != std::string::npos);
}

TEST_CASE("both backends have the same tables and columns", "[mariadb]") {
    auto lite = store::Store::open(":memory:", {});
    auto maria = store::Store::open(testing::fresh_mariadb_database(), {});
    REQUIRE(lite);
    REQUIRE(maria);
    const auto a = store::store_tables((*lite)->handle());
    const auto b = store::store_tables((*maria)->handle());
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("table " << a[i].name);
        REQUIRE(a[i].name == b[i].name);
        // The same columns, each holding numbers on both or on neither; the
        // order may differ (SQLite adds a column at the end).
        auto typed = [](const store::TableShape& t) {
            std::vector<std::string> out;
            for (std::size_t c = 0; c < t.columns.size(); ++c)
                out.push_back(t.columns[c] + (t.integer[c] ? " integer" : " bytes"));
            std::sort(out.begin(), out.end());
            return out;
        };
        CHECK(typed(a[i]) == typed(b[i]));
    }
    CHECK(a.size() >= 22);
}

TEST_CASE("store_copy moves every row to MariaDB and back unchanged", "[mariadb]") {
    testing::TempDir dir;
    auto lite = store::Store::open(dir.path + "/a.db", {});
    auto maria = store::Store::open(testing::fresh_mariadb_database(), {});
    auto back = store::Store::open(dir.path + "/b.db", {});
    REQUIRE(lite);
    REQUIRE(maria);
    REQUIRE(back);
    fill(**lite);
    auto there = store::copy_store(**lite, **maria);
    REQUIRE(there);
    auto returned = store::copy_store(**maria, **back);
    REQUIRE(returned);
    CHECK(rows_of(**lite) == rows_of(**back));
    CHECK(count(**back, "users") == 2);
    Stmt mac((*back)->handle(), "SELECT typeof(code_mac), length(code_mac) FROM otp_codes");
    CHECK(mac.first([](Stmt& r) { return r.text(0) + "/" + r.text(1); }) == "blob/6");
    CHECK(next_event(**maria) == 4);
    CHECK(next_event(**back) == 4);

    // Into a store that holds rows: refused before anything is written.
    auto refused = store::copy_store(**lite, **maria);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("not empty") != std::string::npos);
    CHECK(count(**maria, "users") == 2);
}
