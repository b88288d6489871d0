// test_read_stores.cpp - store.replicas read and checked (store/replica_watch.hpp),
// and reads that fall back to the leader: a server that replicates nothing, one that
// does not answer, and one whose schema is not this build's are never read. (Reads from a real
// replica, and a replica's lag, are in tests/integration/test_replicas.py.)
#include <catch2/catch.hpp>

#include "config.hpp"
#include "mariadb_server.hpp"
#include "store/db.hpp"
#include "store/read_stores.hpp"
#include "store/replica_watch.hpp"
#include "store/store.hpp"

using namespace notify;

namespace {

std::string refused(const std::string& text) {
    auto r = parse_config(text, "t.toml");
    return r ? std::string("(accepted)") : r.error().message;
}

store::Replica replica_at(const store::MariaTarget& target) {
    return {"mysql://root@localhost/" + target.database, target};
}

}  // namespace

TEST_CASE("store.replicas: URLs of a MySQL store's replicas, and how far behind they may be") {
    auto c = parse_config(
        "[store]\nbackend = \"mysql\"\nurl = \"mysql://notify@db1/notify\"\n"
        "replicas = [\"mysql://notify@db2/notify\", \"mysql://notify@db3:3307/notify\"]\n"
        "max_replica_lag = \"500ms\"\n",
        "t.toml");
    REQUIRE(c);
    CHECK(c->store.replicas ==
          std::vector<std::string>{"mysql://notify@db2/notify", "mysql://notify@db3:3307/notify"});
    CHECK(c->store.max_replica_lag == 500);
    auto replicas = store::configured_replicas(c->store, {});
    REQUIRE(replicas);
    REQUIRE(replicas->each.size() == 2);
    CHECK(replicas->each[1].target.host == "db3");
    CHECK(replicas->each[1].target.port == 3307);
    CHECK(replicas->max_lag == 500);

    auto d = parse_config("[store]\nbackend = \"mysql\"\nurl = \"mysql://notify@db1/notify\"\n",
                          "t.toml");
    REQUIRE(d);
    CHECK(d->store.replicas.empty());
    CHECK(d->store.max_replica_lag == 2000);

    CHECK(refused("[store]\nreplicas = [\"mysql://notify@db2/notify\"]\n") ==
          "t.toml:2: 'store.replicas' is for store.backend = \"mysql\"; a SQLite store has no "
          "replicas");
    CHECK(refused("[store]\nbackend = \"mysql\"\nurl = \"mysql://n@db1/n\"\n"
                  "replicas = [\"mysql://n:secret@db2/n\"]\n")
              .find("t.toml:4: store.replicas 'mysql://n:********@db2/n'") == 0);
    CHECK(refused("[store]\nbackend = \"mysql\"\nurl = \"mysql://n@db1/n\"\n"
                  "replicas = [\"mariadb://reader@db1:3306/n\"]\n") ==
          "t.toml:4: 'store.replicas' lists the leader, store.url");
}

TEST_CASE("Without replicas every read is the leader's") {
    auto leader = store::Store::open(":memory:", {});
    REQUIRE(leader);
    store::ReadStores reads(**leader);
    CHECK(&reads.pick() == leader->get());
    auto page = reads.read([](store::Store& s) { return s.list_notifications({}); });
    REQUIRE(page);
    CHECK(page->notifications.empty());
}

TEST_CASE("A server that is no replica, or does not answer, is not read: MariaDB", "[mariadb]") {
    const store::MariaTarget target = testing::fresh_mariadb_database();
    auto leader = store::Store::open(target, {});
    REQUIRE(leader);
    // The same database as a replica: it answers, but replicates nothing.
    auto lag = (*leader)->replication_lag();
    REQUIRE(lag);
    CHECK_FALSE(*lag);
    store::MariaTarget nowhere = target;
    nowhere.socket = "/nonexistent/mariadb.sock";
    store::Replicas replicas{{replica_at(nowhere), replica_at(target)}, 2000, {}};
    store::ReplicaWatch watch(replicas);
    store::ReadStores reads(**leader, &watch);
    // Before the first check nothing is known: the leader reads, and the
    // replicas are not said to be unfit.
    CHECK(&reads.pick() == leader->get());
    CHECK_FALSE(watch.none_fit());
    watch.check_due();
    CHECK_FALSE(watch.fit(0));
    CHECK_FALSE(watch.fit(1));
    CHECK(watch.none_fit());
    CHECK(&reads.pick() == leader->get());
    auto why = store::open_current_replica(replica_at(target), 2000, {});
    REQUIRE_FALSE(why);
    CHECK(why.error().message.find("replicates nothing now") != std::string::npos);
    auto down = store::open_current_replica(replica_at(nowhere), 2000, {});
    REQUIRE_FALSE(down);
    CHECK(down.error().kind == ErrorKind::unavailable);
}

TEST_CASE("A replica whose schema is not this build's is not opened: MariaDB", "[mariadb]") {
    const store::MariaTarget target = testing::fresh_mariadb_database();
    {
        auto leader = store::Store::open(target, {});
        REQUIRE(leader);
        (*leader)->handle().exec("UPDATE notify_schema SET version = version - 1");
    }
    auto replica = store::Store::open_replica(target, {});
    REQUIRE_FALSE(replica);
    CHECK(replica.error().message.find("this build reads version") != std::string::npos);
    const store::MariaTarget empty = testing::fresh_mariadb_database();
    auto bare = store::Store::open_replica(empty, {});
    REQUIRE_FALSE(bare);
    CHECK(bare.error().message.find("its schema is version 0") != std::string::npos);
}
