// Group commit: idempotency within a group and against the store, a transaction
// failed for the store's state that fails every request of its group and stores
// nothing, and one refused for a request's content that fails that request alone
// (on MariaDB too, where the group's rows go to the server with its commit).
#include <sqlite3.h>
#include "store/sqlite_db.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "commit.hpp"
#include "door.hpp"
#include "mariadb_server.hpp"
#include "test_ingest_fixture.hpp"

using namespace notify;
using namespace notify::ingest;

namespace {

constexpr Millis kNow = 1'800'000'000'000;

store::Accepted accepted(const Config& c, const std::string& text, Millis now = kNow) {
    RequestContext ctx{&c, now, "t"};
    auto a = build_notification(nlohmann::json::parse(text), ctx);
    REQUIRE(a);
    return std::move(*a);
}

Submission submission(std::vector<store::Accepted> items) {
    Submission s;
    s.items = std::move(items);
    s.done = [](CommitResult) {};
    return s;
}

std::int64_t count(store::Store& s, const char* table) {
    sqlite3_stmt* st = nullptr;
    std::string q = std::string("SELECT COUNT(*) FROM ") + table;
    REQUIRE(sqlite3_prepare_v2(store::sqlite_handle(s.handle()), q.c_str(), -1, &st, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    std::int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

}  // namespace

TEST_CASE("group commit settles idempotency keys") {
    Config c = ingest_test_config();
    auto opened = store::Store::open(":memory:", {});
    REQUIRE(opened);
    store::Store& st = **opened;
    const std::string first =
        R"({"channel":"email","to":["a@example.com","b@example.com"],"body":"x","idempotency_key":"k"})";
    const std::string same =
        R"({"idempotency_key":"k","body":"x","to":["a@example.com","b@example.com"],"channel":"email"})";
    const std::string other =
        R"({"channel":"email","to":"a@example.com","body":"y","idempotency_key":"k"})";

    SECTION("within one group") {
        std::vector<Submission> group;
        group.push_back(submission({accepted(c, first)}));
        group.push_back(submission({accepted(c, same), accepted(c, other)}));
        CommitStats stats;
        auto r = commit_group(st, group, kNow, stats);
        REQUIRE(r.size() == 2);
        REQUIRE(r[0].status);
        REQUIRE(r[1].status);
        CHECK(r[0].items[0].kind == ItemResult::Kind::stored);
        CHECK(r[1].items[0].kind == ItemResult::Kind::replayed);
        CHECK(r[1].items[0].id == r[0].items[0].id);
        CHECK(r[1].items[0].deliveries.size() == 2);
        CHECK(r[1].items[1].kind == ItemResult::Kind::conflict);
        CHECK(stats.notifications == 3);
        CHECK(stats.stored == 1);
        CHECK(count(st, "notifications") == 1);
        CHECK(count(st, "deliveries") == 2);
    }
    SECTION("against the store, for 24 hours") {
        std::vector<Submission> g1;
        g1.push_back(submission({accepted(c, first)}));
        CommitStats stats;
        auto r1 = commit_group(st, g1, kNow, stats);
        REQUIRE(r1[0].status);
        std::string id = r1[0].items[0].id;

        std::vector<Submission> g2;
        g2.push_back(submission({accepted(c, same, kNow + 1000), accepted(c, other, kNow + 1000)}));
        auto r2 = commit_group(st, g2, kNow + 1000, stats);
        REQUIRE(r2[0].status);
        CHECK(r2[0].items[0].kind == ItemResult::Kind::replayed);
        CHECK(r2[0].items[0].id == id);
        REQUIRE(r2[0].items[0].deliveries.size() == 2);
        CHECK(r2[0].items[0].deliveries[1].recipient == "b@example.com");
        CHECK(r2[0].items[1].kind == ItemResult::Kind::conflict);
        CHECK(count(st, "notifications") == 1);

        Millis later = kNow + kIdempotencyWindow + 1000;
        std::vector<Submission> g3;
        g3.push_back(submission({accepted(c, other, later)}));
        auto r3 = commit_group(st, g3, later, stats);
        REQUIRE(r3[0].status);
        CHECK(r3[0].items[0].kind == ItemResult::Kind::stored);
        CHECK(r3[0].items[0].id != id);
        CHECK(count(st, "notifications") == 2);
    }
    SECTION("a failed transaction fails the whole group and stores nothing") {
        REQUIRE(sqlite3_exec(store::sqlite_handle(st.handle()), "DROP TABLE events", nullptr,
                             nullptr, nullptr) == SQLITE_OK);
        std::vector<Submission> group;
        group.push_back(submission({accepted(c, R"({"channel":"hook","body":"1"})")}));
        group.push_back(submission({accepted(c, R"({"channel":"hook","body":"2"})")}));
        CommitStats stats;
        auto r = commit_group(st, group, kNow, stats);
        CHECK_FALSE(stats.ok);
        for (const auto& one : r) {
            REQUIRE_FALSE(one.status);
            CHECK(one.status.error().code == "store_unavailable");
        }
        CHECK(count(st, "notifications") == 0);
        CHECK(count(st, "deliveries") == 0);
    }
    SECTION("what the store refuses in one request fails that request alone") {
        // A store that refuses one notification's content (as a column too
        // narrow for it would), not for its own state.
        REQUIRE(sqlite3_exec(store::sqlite_handle(st.handle()),
                             "CREATE TRIGGER refuse BEFORE INSERT ON notifications "
                             "WHEN NEW.body = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        std::vector<Submission> group;
        group.push_back(submission({accepted(c, R"({"channel":"hook","body":"1",
                                                    "priority":"high"})")}));
        group.push_back(submission({accepted(c, R"({"channel":"hook","body":"poison"})"),
                                    accepted(c, R"({"channel":"hook","body":"2"})")}));
        group.push_back(submission({accepted(c, first)}));
        group.push_back(submission({accepted(c, same)}));
        CommitStats stats;
        auto r = commit_group(st, group, kNow, stats);
        REQUIRE(r.size() == 4);
        REQUIRE(r[0].status);
        CHECK(r[0].items[0].kind == ItemResult::Kind::stored);
        REQUIRE_FALSE(r[1].status);  // the whole request: none of its notifications
        CHECK(r[1].status.error().code == "store_unavailable");
        CHECK(r[1].status.error().message.find("refused") != std::string::npos);
        REQUIRE(r[2].status);
        CHECK(r[2].items[0].kind == ItemResult::Kind::stored);
        REQUIRE(r[3].status);  // the key's first use, stored before it: a replay
        CHECK(r[3].items[0].kind == ItemResult::Kind::replayed);
        CHECK(r[3].items[0].id == r[2].items[0].id);
        CHECK(r[3].items[0].deliveries.size() == 2);
        CHECK(stats.ok);
        CHECK(stats.notifications == 5);
        CHECK(stats.stored == 2);
        CHECK(stats.high.size() == 1);
        CHECK(count(st, "notifications") == 2);
        CHECK(count(st, "deliveries") == 3);
        // Each request's done is still there for the writer to call.
        for (const auto& s : group) CHECK(s.done);

        // Alone, such a request fails and the store is still counted healthy.
        std::vector<Submission> alone;
        alone.push_back(submission({accepted(c, R"({"channel":"hook","body":"poison"})")}));
        auto a = commit_group(st, alone, kNow, stats);
        CHECK_FALSE(a[0].status);
        CHECK(stats.ok);
        // Asked request by request, a failure of the store's own state fails
        // the requests after it without asking the store again.
        std::vector<std::string> ran;
        std::vector<Submission> state;
        state.push_back(submission({accepted(c, R"({"channel":"hook","body":"poison"})")}));
        state.push_back(submission({accepted(c, R"({"channel":"hook","body":"3"})")}));
        state[1].also = [&ran](store::Store&) {
            ran.push_back("second");
            throw store::StoreFailure{SQLITE_IOERR, "disk I/O error"};
        };
        state.push_back(submission({accepted(c, R"({"channel":"hook","body":"4"})")}));
        state[2].also = [&ran](store::Store&) { ran.push_back("third"); };
        auto f = commit_group(st, state, kNow, stats);
        CHECK_FALSE(stats.ok);
        CHECK(ran == std::vector<std::string>{"second"});
        for (const auto& one : f) CHECK_FALSE(one.status);
        CHECK(f[2].status.error().message.find("disk I/O error") != std::string::npos);
        CHECK(count(st, "notifications") == 2);
    }
}

TEST_CASE("a submission's own writes ride its group's transaction") {
    Config c = ingest_test_config();
    auto opened = store::Store::open(":memory:", {});
    REQUIRE(opened);
    store::Store& st = **opened;
    const std::string keyed = R"({"channel":"email","to":"a@example.com","body":"x",
                                  "idempotency_key":"k"})";
    std::vector<std::string> ran;
    auto with_also = [&](std::vector<store::Accepted> items, std::string name) {
        Submission s = submission(std::move(items));
        s.also = [&ran, name](store::Store&) { ran.push_back(name); };
        return s;
    };

    SECTION("only for a submission stored whole, and for one with nothing to store") {
        std::vector<Submission> group;
        group.push_back(with_also({accepted(c, keyed)}, "first"));
        group.push_back(with_also({accepted(c, keyed)}, "replay"));
        group.push_back(with_also({}, "check"));
        CommitStats stats;
        auto r = commit_group(st, group, kNow, stats);
        REQUIRE(r[1].status);
        CHECK(r[1].items[0].kind == ItemResult::Kind::replayed);
        CHECK(ran == std::vector<std::string>{"first", "check"});
        CHECK(stats.stored == 1);
    }
    SECTION("and a failure of the store's own state in one fails the group and stores nothing") {
        std::vector<Submission> group;
        group.push_back(submission({accepted(c, keyed)}));
        group.push_back(with_also({}, "check"));
        group[1].also = [](store::Store&) {
            throw store::StoreFailure{SQLITE_IOERR, "disk I/O error"};
        };
        CommitStats stats;
        auto r = commit_group(st, group, kNow, stats);
        CHECK_FALSE(r[0].status);
        CHECK_FALSE(r[1].status);
        CHECK(count(st, "notifications") == 0);
    }
}

TEST_CASE("group commit on MariaDB: rows sent with the commit, a refused request fails alone",
          "[mariadb]") {
    Config c = ingest_test_config();
    auto opened = store::Store::open(testing::fresh_mariadb_database(), {});
    REQUIRE(opened);
    store::Store& st = **opened;
    auto rows = [&](const char* table) {
        store::Stmt s(st.handle(), std::string("SELECT COUNT(*) FROM ") + table);
        return s.first([](store::Stmt& r) { return r.integer(0); }).value_or(-1);
    };
    // A server that refuses one notification's content (error 1644, as a
    // column too narrow for it would refuse it), not for its own state.
    store::exec(st.handle(),
                "CREATE TRIGGER refuse BEFORE INSERT ON notifications FOR EACH ROW "
                "IF NEW.body = 'poison' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; "
                "END IF");
    std::vector<Submission> group;
    group.push_back(
        submission({accepted(c, R"({"channel":"hook","body":"1","priority":"high"})")}));
    group.push_back(submission({accepted(c, R"({"channel":"hook","body":"poison"})"),
                                accepted(c, R"({"channel":"hook","body":"2"})")}));
    group.push_back(submission({accepted(c, R"({"channel":"hook","to":["a","b"],"body":"3"})")}));
    // Statements the session executed as prepared ones: none of the group's.
    auto executed = [&] {
        store::Stmt s(st.handle(),
                      "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                      "WHERE VARIABLE_NAME = 'COM_STMT_EXECUTE'");
        return s.first([](store::Stmt& row) { return std::stoll(row.text(0)); }).value_or(-1);
    };
    const auto before = executed();
    CommitStats stats;
    auto r = commit_group(st, group, kNow, stats);
    CHECK(executed() - before == 1);  // the count's own
    REQUIRE(r.size() == 3);
    REQUIRE(r[0].status);
    REQUIRE_FALSE(r[1].status);
    CHECK(r[1].status.error().message.find("refused") != std::string::npos);
    REQUIRE(r[2].status);
    CHECK(stats.ok);
    CHECK(stats.stored == 2);
    CHECK(rows("notifications") == 2);
    CHECK(rows("deliveries") == 3);
    CHECK(rows("events") == 3);
    // Each stored delivery's seq, known once the commit ran, is the row's own.
    REQUIRE(stats.high.size() == 1);
    CHECK(stats.high[0] == r[0].items[0].deliveries.at(0).seq);
    for (const auto& result : {r[0], r[2]})
        for (const Delivery& d : result.items.at(0).deliveries) {
            store::Stmt s(st.handle(), "SELECT id FROM deliveries WHERE seq = ?");
            s.bind(1, d.seq);
            CHECK(s.first([](store::Stmt& row) { return row.text(0); }).value_or("") == d.id);
        }
}
