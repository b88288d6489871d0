// test_read_transaction.cpp - store::ReadTransaction: reads inside it share one
// snapshot, it ends with its scope, and inside a transaction already open it
// does nothing.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

using namespace notify;

namespace {

std::int64_t count(store::Db& db) {
    store::Stmt s(db, "SELECT count(*) FROM kv");
    s.step();
    return s.integer(0);
}

}  // namespace

TEST_CASE("Reads in a ReadTransaction share one snapshot, which ends with it") {
    testing::TempDir dir;
    const std::string path = dir.path + "/notify.db";
    auto reader = store::Store::open(path, {});
    auto writer = store::Store::open(path, {});
    REQUIRE(reader);
    REQUIRE(writer);
    store::Db& r = (*reader)->handle();
    store::Db& w = (*writer)->handle();
    store::exec(w, "CREATE TABLE kv (k TEXT)");
    {
        store::ReadTransaction reads(r);
        CHECK(r.in_transaction());
        CHECK(count(r) == 0);
        store::exec(w, "INSERT INTO kv VALUES ('a')");  // another connection commits
        CHECK(count(r) == 0);                           // not seen: the same snapshot
    }
    CHECK_FALSE(r.in_transaction());
    CHECK(count(r) == 1);  // a new snapshot once it ended

    SECTION("inside a transaction already open it neither begins nor ends one") {
        store::exec(r, "BEGIN");
        {
            store::ReadTransaction reads(r);
            CHECK(count(r) == 1);
        }
        CHECK(r.in_transaction());
        store::exec(r, "COMMIT");
    }
}
