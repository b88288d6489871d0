// test_router_lease.cpp - which router delivers (store/router_leases.hpp,
// lease_keeper.hpp), on SQLite or, with NOTIFY_TEST_STORE=mariadb, MariaDB:
// the lease taken, renewed, refused to another while it runs, taken over once
// it expires or is let go (with the next epoch), taken at once by a restart of
// its own router, and never taken back by a holder that lost it; a holder's
// writes refused once another holds it; and the keeper's thread standing by,
// taking over, and finding its lease lost. Several partitions are held all
// at once, and a router counting them otherwise is refused.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "lease_keeper.hpp"
#include "mariadb_server.hpp"
#include "store/db.hpp"
#include "store/dialect.hpp"
#include "store/fanout_store.hpp"
#include "store/router_leases.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

using namespace notify;

namespace {

// Makes the leases and the claims expire now, as time would.
void expire(store::Store& s) {
    store::Stmt(s.handle(), "UPDATE router_partitions SET expires_at = 0").run();
    store::Stmt(s.handle(), "UPDATE router_claimants SET claimed_until = 0").run();
}

// A claim of `owner` holding `held`, letting `let_go` go.
store::LeaseClaim claim(store::Store& s, int count, const std::string& owner,
                        const store::Epochs& held = {}, const PartitionSet& let_go = {1, {}}) {
    return store::claim_partitions(s, count, owner, held, let_go, 5000);
}

// A fence of `owner` holding `epochs`.
std::shared_ptr<store::LeaseHolding> holding(const std::string& owner,
                                             const store::Epochs& epochs) {
    auto held = std::make_shared<store::LeaseHolding>(owner, static_cast<int>(epochs.size()));
    held->set(epochs);
    return held;
}

// Whether `done` comes true within 5 s.
bool eventually(const std::function<bool()>& done) {
    const Millis by = util::steady_ms() + 5000;
    while (!done() && util::steady_ms() < by)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
}

// A write transaction on `s`: whether its fence let it commit.
bool writes(store::Store& s) {
    try {
        store::Transaction tx(s.handle());
        store::Stmt(s.handle(), "UPDATE router_partitions SET expires_at = expires_at").run();
        tx.commit();
        return true;
    } catch (const store::StoreFailure& f) {
        CHECK(f.code == SQLITE_AUTH);
        CHECK(f.message.find("another router has taken them over") != std::string::npos);
        return false;
    }
}

// Whether a write of `owner` holding `epochs` passes the fence.
bool writes(store::Store& s, const std::string& owner, const store::Epochs& epochs) {
    s.handle().set_write_fence(std::make_shared<store::LeaseFence>(holding(owner, epochs)));
    const bool passed = writes(s);
    s.handle().set_write_fence(nullptr);
    return passed;
}

}  // namespace

TEST_CASE("router lease: taken, renewed, refused, taken over, let go", "[lease]") {
    testing::SharedStore shared;
    auto s = shared.open();
    // One partition, as router.partitions says by default.
    auto claim_lease = [&s](const std::string& owner, std::int64_t held) {
        return claim(*s, 1, owner, held ? store::Epochs{held} : store::Epochs{});
    };

    auto none = store::read_leases(*s);
    REQUIRE(none);
    CHECK(none->leases.empty());

    const auto a1 = claim_lease("router@a", 0);
    CHECK(a1.epochs == store::Epochs{1});
    CHECK(a1.share == 1);
    CHECK(a1.routers == 1);
    CHECK(a1.holder.empty());
    CHECK(a1.expires_at - a1.now == 5000);
    CHECK(std::abs(a1.now - util::now_ms()) < 5000);  // the store's clock

    // Another router stands by: the row is left as it was.
    const auto b1 = claim_lease("router@b", 0);
    CHECK(b1.epochs == store::Epochs{0});
    CHECK(b1.other_count == 0);
    CHECK(b1.routers == 2);
    CHECK(b1.share == 1);
    CHECK(b1.holder == "router@a");
    CHECK(b1.epoch == 1);
    CHECK(b1.holder_expires_at == a1.expires_at);

    // Renewed by its holder: the same epoch, a later expiry.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto a2 = claim_lease("router@a", 1);
    CHECK(a2.epochs == store::Epochs{1});
    CHECK(a2.expires_at > a1.expires_at);

    // Expired: the next claim of another takes it, with the next epoch.
    expire(*s);
    const auto b2 = claim_lease("router@b", 0);
    CHECK(b2.epochs == store::Epochs{2});

    // The old holder does not take it back, even once it expires again.
    const auto a3 = claim_lease("router@a", 1);
    CHECK(a3.lost);
    CHECK(a3.holder == "router@b");
    expire(*s);
    CHECK(claim_lease("router@a", 1).lost);

    // A restart of the holder (same id, holding nothing yet) takes it at once,
    // unexpired, with the next epoch: its earlier process has ended.
    CHECK(claim_lease("router@b", 2).epochs == store::Epochs{2});
    CHECK(claim_lease("router@b", 0).epochs == store::Epochs{3});

    // Let go by its holder: taken at once; a stale holding lets nothing go.
    store::release_partitions(*s, "router@b", {2});
    CHECK(claim_lease("router@c", 0).holder == "router@b");
    store::release_partitions(*s, "router@b", {3});
    const auto c1 = claim_lease("router@c", 0);
    CHECK(c1.epochs == store::Epochs{4});

    auto view = store::read_leases(*s);
    REQUIRE(view);
    REQUIRE(view->leases.size() == 1);
    CHECK(view->leases[0].owner == "router@c");
    CHECK(view->leases[0].epoch == 4);
    CHECK(view->leases[0].expires_at > view->now);
}

TEST_CASE("router lease: the live routers share the partitions", "[lease]") {
    testing::SharedStore shared;
    auto s = shared.open();
    // Alone, a router holds every partition.
    const auto a1 = claim(*s, 4, "router@a");
    REQUIRE(a1.epochs == store::Epochs{1, 1, 1, 1});
    CHECK(a1.share == 4);
    auto view = store::read_leases(*s);
    REQUIRE(view);
    REQUIRE(view->leases.size() == 4);
    for (int p = 0; p < 4; ++p) {
        CHECK(view->leases[p].partition == p);
        CHECK(view->leases[p].owner == "router@a");
        CHECK(view->leases[p].expires_at == a1.expires_at);
    }

    // A second router holding none counts the holder: its share is two,
    // none of them free yet.
    const auto b1 = claim(*s, 4, "router@b");
    CHECK(b1.epochs == store::Epochs{0, 0, 0, 0});
    CHECK(b1.share == 2);
    CHECK(b1.holder == "router@a");
    CHECK(b1.next_expiry == a1.expires_at);
    // The holder counts it once it has claimed; it gives back what is above
    // its share, and the other takes it, with the rows' next epochs. A router
    // counting the partitions otherwise does not count.
    CHECK(claim(*s, 8, "router@x").other_count == 4);
    store::Stmt(s->handle(),
                "INSERT INTO router_claimants (owner, partitions, claimed_until) "
                "VALUES ('router@y', 8, ?)")
        .bind(1, b1.expires_at)
        .run();
    const auto a2 = claim(*s, 4, "router@a", a1.epochs);
    CHECK(a2.share == 2);
    CHECK(a2.routers == 2);
    CHECK(a2.epochs == a1.epochs);
    const auto a3 = claim(*s, 4, "router@a", a2.epochs, PartitionSet(4, {2, 3}));
    CHECK(a3.epochs == store::Epochs{1, 1, 0, 0});
    const auto b2 = claim(*s, 4, "router@b", b1.epochs);
    CHECK(b2.epochs == store::Epochs{0, 0, 2, 2});
    CHECK(b2.holder.empty());
    // Let go again after all (a commit that failed, but had let it go, and
    // another took it meanwhile): not a loss.
    const auto again = claim(*s, 4, "router@a", a2.epochs, PartitionSet(4, {2, 3}));
    CHECK_FALSE(again.lost);
    CHECK(again.epochs == a3.epochs);
    // Each one's writes pass its fence.
    CHECK(writes(*s, "router@a", a3.epochs));
    CHECK(writes(*s, "router@b", b2.epochs));
    CHECK_FALSE(writes(*s, "router@a", a2.epochs));

    // A third one's share is two as well (ceil(4 / 3)): it waits for the
    // first row to expire.
    const auto c1 = claim(*s, 4, "router@c");
    CHECK(c1.share == 2);
    CHECK(c1.epochs == store::Epochs{0, 0, 0, 0});
    CHECK(c1.holder_expires_at == std::min(again.expires_at, b2.expires_at));
    CHECK(c1.holder == (again.expires_at <= b2.expires_at ? "router@a" : "router@b"));

    // b and c die: once b's rows and both claims expired, a takes the rows
    // back.
    store::Stmt(s->handle(), "UPDATE router_claimants SET claimed_until = 0").run();
    store::Stmt(s->handle(), "UPDATE router_partitions SET expires_at = 0 WHERE owner = 'router@b'")
        .run();
    const auto a4 = claim(*s, 4, "router@a", a3.epochs);
    CHECK(a4.routers == 1);
    CHECK(a4.epochs == store::Epochs{1, 1, 3, 3});
    CHECK(claim(*s, 4, "router@a", a4.epochs).epochs == a4.epochs);

    // A router counting them otherwise is refused while they are held.
    const auto other = claim(*s, 8, "router@d");
    CHECK(other.epochs.empty());
    CHECK(other.holder == "router@a");
    CHECK(other.other_count == 4);

    // One partition taken behind the holder's back: its renewal fails, and
    // nothing is taken back; its fence refuses its writes.
    store::Stmt(s->handle(),
                "UPDATE router_partitions SET owner = 'router@c', epoch = epoch + 1 "
                "WHERE partition_no = 2")
        .run();
    const auto lost = claim(*s, 4, "router@a", a4.epochs);
    CHECK(lost.lost);
    CHECK(lost.holder == "router@c");
    CHECK_FALSE(writes(*s, "router@a", a4.epochs));

    // Once none is held, the first router to claim them sets their count,
    // with epochs past every earlier one.
    expire(*s);
    const auto e1 = claim(*s, 8, "router@e");
    REQUIRE(e1.epochs.size() == 8);
    CHECK(e1.epochs[0] == 5);
    view = store::read_leases(*s);
    REQUIRE(view);
    CHECK(view->leases.size() == 8);
    CHECK(claim(*s, 4, "router@a").other_count == 8);

    // A partition removed from under its holder: renewal and fence fail.
    store::Stmt(s->handle(), "DELETE FROM router_partitions WHERE partition_no = 7").run();
    CHECK(claim(*s, 8, "router@e", e1.epochs).lost);
    CHECK_FALSE(writes(*s, "router@e", e1.epochs));
}

TEST_CASE("router lease: a keeper counting the partitions otherwise is refused", "[lease]") {
    testing::SharedStore shared;
    router::LeaseKeeper a(shared.open(), "router@a", 2, 1000);
    a.start();
    REQUIRE(a.wait_until_held(5000));
    CHECK(a.refusal().empty());
    CHECK(a.description()["partitions"] == 2);
    router::LeaseKeeper b(shared.open(), "router@b", 3, 1000);
    b.start();
    CHECK_FALSE(b.wait_until_held(3000));
    const std::string why = b.refusal();
    CHECK(why.find("router.partitions is 3 here") != std::string::npos);
    CHECK(why.find("router@a") != std::string::npos);
    CHECK(why.find("into 2") != std::string::npos);
    // It claims no more: a's holding goes on.
    a.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    CHECK(b.assigned().held() == 0);
    b.stop();
}

TEST_CASE("router lease: a holder that died is waited out, not a reason to refuse", "[lease]") {
    // A holder of 2 partitions, killed: its rows stay until they expire.
    testing::SharedStore shared;
    auto s = shared.open();
    REQUIRE(store::claim_partitions(*s, 2, "router@a", {}, {2, {}}, 1500).epochs ==
            store::Epochs{1, 1});
    router::LeaseKeeper b(shared.open(), "router@b", 3, 1000);
    b.start();
    REQUIRE(b.wait_until_held(5000));  // once a's rows expired, with b's count
    CHECK(b.refusal().empty());
    auto view = store::read_leases(*s);
    REQUIRE(view);
    CHECK(view->leases.size() == 3);
    b.stop();
}

TEST_CASE("router lease: a holder's writes are refused once another holds it", "[lease]") {
    testing::SharedStore shared;
    auto claims = shared.open();
    auto a = shared.open();
    auto b = shared.open();
    const auto first = claim(*claims, 1, "router@a");
    auto held_by_a = holding("router@a", first.epochs);
    a->handle().set_write_fence(std::make_shared<store::LeaseFence>(held_by_a));
    CHECK(writes(*a));
    CHECK(writes(*a));
    CHECK_FALSE(held_by_a->lost);

    expire(*claims);
    const auto taken = claim(*claims, 1, "router@b");
    REQUIRE(taken.epochs == store::Epochs{2});
    auto held_by_b = holding("router@b", taken.epochs);
    b->handle().set_write_fence(std::make_shared<store::LeaseFence>(held_by_b));

    CHECK_FALSE(writes(*a));  // refused, and rolled back: the connection goes on
    CHECK(held_by_a->lost);
    CHECK(writes(*b));
    CHECK_FALSE(held_by_b->lost);
    CHECK_FALSE(writes(*a));
    // Reads are not fenced.
    CHECK(store::read_leases(*a));
}

TEST_CASE("router lease: the keeper stands by, takes over, and finds it lost", "[lease]") {
    testing::SharedStore shared;
    router::LeaseKeeper a(shared.open(), "router@a", 1, 1000);
    a.start();
    REQUIRE(a.wait_until_held(5000));
    CHECK(a.assigned() == PartitionSet::all(1));
    CHECK(a.dispatching());
    CHECK(a.description()["state"] == "held");

    router::LeaseKeeper b(shared.open(), "router@b", 1, 1000);
    b.start();
    CHECK_FALSE(b.wait_until_held(1500));  // a renews it all along
    CHECK_FALSE(b.dispatching());
    const auto standing = b.description();
    CHECK(standing["state"] == "standby");
    CHECK(standing["holder"] == "router@a");

    // Let go: b takes it at its next claim, without waiting for it to expire.
    const Millis let_go = util::steady_ms();
    a.stop();
    CHECK_FALSE(a.dispatching());
    REQUIRE(b.wait_until_held(3000));
    CHECK(util::steady_ms() - let_go < 1000);
    CHECK(b.description()["held"] == "0");
    auto s = shared.open();
    auto taken = store::read_leases(*s);
    REQUIRE(taken);
    CHECK(taken->leases.at(0).owner == "router@b");
    CHECK(taken->leases.at(0).epoch == 2);

    // Taken from b behind its back (as a router that found it expired would):
    // b finds it lost at its next renewal, and hands out no more work.
    store::Stmt(s->handle(), "UPDATE router_partitions SET owner = 'router@c', epoch = epoch + 1")
        .run();
    const Millis by = util::steady_ms() + 3000;
    while (!b.lost() && util::steady_ms() < by)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(b.lost());
    CHECK_FALSE(b.dispatching());
    CHECK(b.description()["state"] == "lost");
    b.stop();  // lets nothing go: it is not its own
    auto view = store::read_leases(*s);
    REQUIRE(view);
    CHECK(view->leases.at(0).owner == "router@c");
    CHECK(view->leases.at(0).expires_at > view->now);
}

TEST_CASE("router lease: keepers share the partitions, and take back a stopped one's", "[lease]") {
    testing::SharedStore shared;
    auto s = shared.open();
    router::LeaseKeeper a(shared.open(), "router@a", 4, 1000);
    a.start();
    REQUIRE(a.wait_until_held(5000));
    CHECK(a.assigned() == PartitionSet::all(4));
    a.serve_assigned();
    const auto before = a.assignments();

    // b claims: a's share is two, so it is assigned 0-1; what it serves is
    // held until it says it serves 0-1 only, then let go, and b takes it.
    router::LeaseKeeper b(shared.open(), "router@b", 4, 1000);
    b.start();
    CHECK(eventually([&] { return a.assignments() != before; }));
    CHECK(a.assigned() == PartitionSet(4, {0, 1}));
    CHECK(a.description()["held"] == "0-3");
    CHECK_FALSE(b.wait_until_held(500));
    a.serve_assigned();
    REQUIRE(b.wait_until_held(3000));
    CHECK(b.assigned() == PartitionSet(4, {2, 3}));
    CHECK(a.description()["held"] == "0-1");
    CHECK(a.description()["share"] == 2);
    CHECK(a.dispatching());
    CHECK(b.dispatching());

    // b stops: it lets its rows and its claim go; a takes the rows back at
    // its next claim, without waiting for them to expire.
    b.stop();
    {
        store::Stmt claims(s->handle(),
                           "SELECT COUNT(*) FROM router_claimants WHERE owner = 'router@b'");
        REQUIRE(claims.step());
        CHECK(claims.integer(0) == 0);
    }
    CHECK(eventually([&] { return a.assigned() == PartitionSet::all(4); }));
    CHECK_FALSE(a.lost());
    a.stop();
    auto view = store::read_leases(*s);
    REQUIRE(view);
    for (const auto& row : view->leases) CHECK(row.expires_at <= view->now);
}

TEST_CASE("router lease: a keeper holding its share takes a dead router's as they expire",
          "[lease]") {
    testing::SharedStore shared;
    auto s = shared.open();
    // router@b holds 0-1 for 3 s and claims no more (killed).
    const auto b1 = store::claim_partitions(*s, 4, "router@b", {}, {4, {}}, 3000);
    REQUIRE(b1.epochs == store::Epochs{1, 1, 1, 1});
    REQUIRE(store::claim_partitions(*s, 4, "router@b", b1.epochs, PartitionSet(4, {2, 3}), 3000)
                .epochs == store::Epochs{1, 1, 0, 0});
    // a renews every 12 s: it holds its share (2-3) at once, and takes 0-1
    // as b's rows and claim expire, not at its next renewal.
    router::LeaseKeeper a(shared.open(), "router@a", 4, 60'000);
    a.start();
    REQUIRE(a.wait_until_held(5000));
    CHECK(a.assigned() == PartitionSet(4, {2, 3}));
    CHECK(eventually([&] { return a.assigned() == PartitionSet::all(4); }));
    a.stop();
}

TEST_CASE("router lease: a keeper counts a dead standby's claim until it expires", "[lease]") {
    testing::SharedStore shared;
    auto s = shared.open();
    // router@c stood by (a claim, no row) and was killed: its claim counts
    // for 3 s more.
    store::Stmt(s->handle(),
                "INSERT INTO router_claimants (owner, partitions, claimed_until) "
                "VALUES ('router@c', 4, ?)")
        .bind(1, store::store_clock(s->handle()) + 3000)
        .run();
    // a renews every 12 s: its share is two while c counts, and four as
    // soon as c's claim expires, not at its next renewal.
    router::LeaseKeeper a(shared.open(), "router@a", 4, 60'000);
    a.start();
    REQUIRE(a.wait_until_held(5000));
    CHECK(a.assigned() == PartitionSet(4, {0, 1}));
    CHECK(eventually([&] { return a.assigned() == PartitionSet::all(4); }));
    a.stop();
}

TEST_CASE("router lease: a row naming the keeper with another epoch is not its own", "[lease]") {
    // Another process of the same name (a second host given the same name)
    // took it: the keeper does not renew it as its own.
    testing::SharedStore shared;
    router::LeaseKeeper d(shared.open(), "router@d", 1, 1000);
    d.start();
    REQUIRE(d.wait_until_held(5000));
    auto s = shared.open();
    store::Stmt(s->handle(), "UPDATE router_partitions SET epoch = epoch + 1").run();
    const Millis by = util::steady_ms() + 3000;
    while (!d.lost() && util::steady_ms() < by)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(d.lost());
    CHECK_FALSE(d.dispatching());
}

TEST_CASE("router lease: each partition keeps the gate's mark, carried to rows made anew",
          "[lease]") {
    testing::SharedStore shared;
    auto s = shared.open();
    store::FanoutStore fanouts(*s);
    const auto every = PartitionSet::all(4);
    const store::GateMarkScope a{"router@a", every};
    // What a router without a lease kept: the store's mark.
    REQUIRE(fanouts.apply({}, 40));
    CHECK(fanouts.gated_seq() == 40);
    CHECK_FALSE(store::read_gate_mark(s->handle(), every));
    CHECK(fanouts.gated_seq(a) == 40);  // holding none: the store's

    // The first rows start from it; the holder's commits move its rows' marks,
    // and the store's while it serves every partition.
    REQUIRE(claim(*s, 4, "router@a").epochs == store::Epochs{1, 1, 1, 1});
    CHECK(fanouts.gated_seq(a) == 40);
    REQUIRE(fanouts.apply({}, 55, a));
    CHECK(fanouts.gated_seq(a) == 55);
    CHECK(fanouts.gated_seq() == 55);

    // Serving two of them, only theirs move, and the store's stays: it is
    // every partition's.
    const store::GateMarkScope half{"router@a", PartitionSet(4, {0, 1})};
    REQUIRE(fanouts.apply({}, 70, half));
    CHECK(fanouts.gated_seq(half) == 70);
    CHECK(fanouts.gated_seq({"router@a", PartitionSet(4, {2, 3})}) == 55);
    CHECK(fanouts.gated_seq(a) == 55);
    CHECK(fanouts.gated_seq() == 55);

    // Another's lower mark on one row: the lowest counts.
    store::Stmt(s->handle(), "UPDATE router_partitions SET gated_seq = 50 WHERE partition_no = 3")
        .run();
    CHECK(fanouts.gated_seq(a) == 50);

    // Taken over with the same count, the rows keep their marks; made anew
    // for another count, they start from the lowest of those they replace.
    expire(*s);
    REQUIRE(claim(*s, 4, "router@b").epochs == store::Epochs{2, 2, 2, 2});
    CHECK(fanouts.gated_seq({"router@b", every}) == 50);
    expire(*s);
    REQUIRE(claim(*s, 8, "router@c").epochs.size() == 8);
    CHECK(fanouts.gated_seq({"router@c", PartitionSet::all(8)}) == 50);
    store::Stmt max_mark(s->handle(), "SELECT MAX(gated_seq), COUNT(*) FROM router_partitions");
    REQUIRE(max_mark.step());
    CHECK(max_mark.integer(0) == 50);
    CHECK(max_mark.integer(1) == 8);
}
