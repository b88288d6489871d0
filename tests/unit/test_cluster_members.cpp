// test_cluster_members.cpp - processes announcing themselves in the store
// (store/presence.hpp, store/cluster_members.hpp), on SQLite or, with
// NOTIFY_TEST_STORE=mariadb, MariaDB: the row a Presence writes and keeps
// fresh, marked stopped when it stops, taken over by the next process of the
// same role and runtime directory, and forgotten once old.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "mariadb_server.hpp"
#include "store/cluster_members.hpp"
#include "store/db.hpp"
#include "store/presence.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

using namespace notify;

namespace {

// The members as the store has them once `until` holds of them (within 10 s).
store::ClusterView members_once(store::Store& s,
                                const std::function<bool(const store::ClusterView&)>& until) {
    const Millis by = util::steady_ms() + 10000;
    for (;;) {
        auto view = store::read_members(s);
        REQUIRE(view);
        if (until(*view) || util::steady_ms() > by) return *view;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace

TEST_CASE("cluster members: a process's row, kept fresh, stopped and taken over", "[cluster]") {
    testing::SharedStore shared;
    auto reader = shared.open();
    auto empty = store::read_members(*reader);
    REQUIRE(empty);
    CHECK(empty->members.empty());
    CHECK(std::abs(empty->now - util::now_ms()) < 5000);  // the store's clock, in ms

    auto presence = std::make_unique<store::Presence>(shared.open(), "ingest", "/run/a");
    presence->start();
    // Nothing is written before the process has said what it is.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(store::read_members(*reader)->members.empty());
    presence->describe(R"({"health":{"status":"ready"}})");
    auto view = members_once(*reader, [](const auto& v) { return v.members.size() == 1; });
    REQUIRE(view.members.size() == 1);
    const store::ClusterMember first = view.members[0];
    CHECK(first.id == "ingest@" + store::host_name() + ":/run/a");
    CHECK(first.id == presence->id());
    CHECK(first.role == "ingest");
    CHECK(first.host == store::host_name());
    CHECK(first.pid == getpid());
    CHECK(first.stopped_at == 0);
    CHECK(first.started_at <= first.seen_at);
    CHECK(view.now - first.seen_at < 5000);
    CHECK(nlohmann::json::parse(first.detail)["health"]["status"] == "ready");

    // The next beat carries the new description; started_at stays.
    presence->describe(R"({"health":{"status":"degraded"}})");
    view = members_once(*reader, [](const auto& v) {
        return v.members.size() == 1 && v.members[0].detail.find("degraded") != std::string::npos;
    });
    REQUIRE(view.members.size() == 1);
    CHECK(view.members[0].detail == R"({"health":{"status":"degraded"}})");
    CHECK(view.members[0].started_at == first.started_at);
    CHECK(view.members[0].seen_at > first.seen_at);

    // Stopped cleanly: marked so, with its last word.
    presence->stop();
    view = *store::read_members(*reader);
    REQUIRE(view.members.size() == 1);
    CHECK(view.members[0].stopped_at >= view.members[0].started_at);
    CHECK(view.members[0].stopped_at != 0);
    CHECK(view.members[0].detail == R"({"health":{"status":"degraded"}})");

    // Another process of the same role and runtime directory takes the row
    // over; another role is another member.
    presence = std::make_unique<store::Presence>(shared.open(), "ingest", "/run/a");
    presence->describe("{}");
    presence->start();
    store::Presence router(shared.open(), "router", "/run/a");
    router.describe(R"({"workers":[]})");
    router.start();
    view = members_once(*reader, [](const auto& v) {
        return v.members.size() == 2 && v.members[0].stopped_at == 0;
    });
    REQUIRE(view.members.size() == 2);
    CHECK(view.members[0].role == "ingest");  // by role
    CHECK(view.members[0].stopped_at == 0);
    CHECK(view.members[0].detail == "{}");
    CHECK(view.members[0].started_at >= first.seen_at);
    CHECK(view.members[1].role == "router");
    CHECK(view.members[1].id == "router@" + store::host_name() + ":/run/a");
    router.stop();
    presence->stop();

    // A row not written for a day is forgotten; the others stay.
    store::Stmt old(reader->handle(), "UPDATE cluster_members SET seen_at = 5 WHERE role = ?");
    old.bind(1, std::string("router")).run();
    store::forget_members(*reader, store::kForgetMember);
    view = *store::read_members(*reader);
    REQUIRE(view.members.size() == 1);
    CHECK(view.members[0].role == "ingest");
}

TEST_CASE("cluster members: an id stays within the store's key") {
    const std::string dir(3000, 'd');
    const std::string id = store::member_id("router", "host1", dir);
    CHECK(id.size() < 1024);
    CHECK(id.rfind("router@host1:", 0) == 0);
    CHECK(id != store::member_id("router", "host1", dir + "x"));
    CHECK(store::member_id("router", "host1", "/run/notify") == "router@host1:/run/notify");
}
