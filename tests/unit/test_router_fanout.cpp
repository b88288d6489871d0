#include <unistd.h>
#include <catch2/catch.hpp>
#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>
#include <thread>

#include "fanout.hpp"
#include "router.hpp"
#include "store/fanout_store.hpp"
#include "test_router_fixture.hpp"
#include "test_router_worker.hpp"

using namespace notify;
using notify::testing::control_request;
using notify::testing::TempStore;

namespace {

std::size_t expand_all(router::Expander& e, int* steps = nullptr) {
    std::size_t written = 0;
    int n = 0;
    while (e.busy() && n < 100000) {
        written += e.step(util::now_ms());
        ++n;
    }
    if (steps) *steps = n;
    return written;
}

// Users u01..u10 with addresses; g1 = u01..u06, g2 = u04..u10; u11 has no email.
void directory(TempStore& s) {
    for (int i = 1; i <= 10; ++i) {
        char id[8];
        std::snprintf(id, sizeof id, "u%02d", i);
        s.user(id, std::string(id) + "@example.com", "", i % 2 ? "zh-CN" : "");
    }
    s.user("u11", "");
    s.group("g1", {"u01", "u02", "u03", "u04", "u05", "u06"});
    s.group("g2", {"u04", "u05", "u06", "u07", "u08", "u09", "u10"});
}

}  // namespace

TEST_CASE("a fan-out gives each user one delivery, in steps of bulk.expand_batch") {
    TempStore s;
    directory(s);
    Config config = testing::router_config("[bulk]\nexpand_batch = 3\n");
    store::FanoutStore fanouts(*s);
    router::Expander expander(config, fanouts);
    const std::string nid = s.fanout(
        {"group:g1", "user:u02", "group:g2", "user:u11", "raw@example.com", "user:ghost"}, "email");

    expander.scan(PartitionSet::all(1));
    REQUIRE(expander.busy());
    int steps = 0;
    CHECK(expand_all(expander, &steps) == 13);
    CHECK(steps == 6);  // 17 rows scanned (6 + 1 + 7 + 1 + 1 + 1), at most 3 a step

    auto ds = s->deliveries_of(nid);
    REQUIRE(ds.size() == 13);
    std::set<std::string> users;
    for (std::size_t i = 0; i < ds.size(); ++i) {
        CHECK(ds[i].id == delivery_id_for(nid, i));
        if (!ds[i].user_id.empty()) CHECK(users.insert(ds[i].user_id).second);
    }
    CHECK(users.size() == 12);  // u01..u11 and ghost
    SECTION("recipients, locales and suppressions") {
        CHECK(ds[0].user_id == "u01");
        CHECK(ds[0].recipient == "u01@example.com");
        CHECK(ds[0].locale == "zh-CN");
        CHECK(ds[0].state == DeliveryState::queued);
        CHECK(ds[1].locale.empty());
        CHECK(ds[10].user_id == "u11");
        CHECK(ds[10].state == DeliveryState::suppressed);
        CHECK(ds[10].last_error == "user 'u11' has no address for channel 'email'");
        CHECK(ds[11].user_id.empty());
        CHECK(ds[11].recipient == "raw@example.com");
        CHECK(ds[12].user_id == "ghost");
        CHECK(ds[12].last_error == "no user 'ghost' in the directory");
    }
    SECTION("the fan-out ends done, with its events") {
        auto v = s->get_notification(nid, true);
        REQUIRE(v);
        REQUIRE(v->fanout);
        CHECK(v->fanout->state == store::FanoutState::done);
        CHECK(v->fanout->expanded == 13);
        CHECK(s.count("SELECT COUNT(*) FROM events WHERE type = 'accepted'") == 13);
        CHECK(s.count("SELECT COUNT(*) FROM events WHERE type = 'suppressed'") == 2);
        CHECK(s.scalar("SELECT detail FROM events WHERE type = 'expanded' AND delivery_id = '" +
                       nid + "'") == "deliveries=13");
        expander.scan(PartitionSet::all(1));
        CHECK_FALSE(expander.busy());
    }
}

TEST_CASE("addresses come from identities, then email or phone by channel type") {
    TempStore s;
    s.user("a", "a@example.com", "+8613800138000");
    s.user("b", "b@example.com");
    s.exec(
        "INSERT INTO identities (user_id, channel, address) VALUES ('b', 'hook', "
        "'https://hooks.example.com/b')");
    s.group("all", {"a", "b"});
    Config config = testing::router_config();
    store::FanoutStore fanouts(*s);
    router::Expander expander(config, fanouts);
    const std::string sms = s.fanout({"group:all"}, "sms");
    const std::string hook = s.fanout({"group:all"}, "hook");
    expander.scan(PartitionSet::all(1));
    expand_all(expander);
    auto by_sms = s->deliveries_of(sms);
    REQUIRE(by_sms.size() == 2);
    CHECK(by_sms[0].recipient == "+8613800138000");
    CHECK(by_sms[1].state == DeliveryState::suppressed);
    CHECK(by_sms[1].last_error == "user 'b' has no address for channel 'sms'");
    auto by_hook = s->deliveries_of(hook);
    REQUIRE(by_hook.size() == 2);
    CHECK(by_hook[0].last_error == "user 'a' has no address for channel 'hook'");
    CHECK(by_hook[1].recipient == "https://hooks.example.com/b");
}

TEST_CASE("a user with several addresses on the channel gets a delivery at each") {
    TempStore s;
    for (const char* id : {"a", "b", "c"}) s.user(id, std::string(id) + "@example.com");
    s.exec(
        "INSERT INTO identities (user_id, channel, address) VALUES ('a', 'hook', "
        "'https://127.0.0.1/a'), ('b', 'hook', 'https://127.0.0.1/b1'), ('b', 'hook', "
        "'https://127.0.0.1/b2'), ('b', 'hook', 'https://127.0.0.1/b3'), ('c', 'hook', "
        "'https://127.0.0.1/c')");
    s.group("all", {"a", "b", "c"});
    // Two users a step: b's three addresses must not be cut by a step's end.
    Config config = testing::router_config("[bulk]\nexpand_batch = 2\n");
    store::FanoutStore fanouts(*s);
    router::Expander expander(config, fanouts);
    const std::string nid = s.fanout({"group:all", "user:b"}, "hook");
    expander.scan(PartitionSet::all(1));
    expand_all(expander);
    std::vector<std::string> to;
    for (const auto& d : s->deliveries_of(nid)) to.push_back(d.user_id + " " + d.recipient);
    CHECK(to == std::vector<std::string>{"a https://127.0.0.1/a", "b https://127.0.0.1/b1",
                                         "b https://127.0.0.1/b2", "b https://127.0.0.1/b3",
                                         "c https://127.0.0.1/c"});
}

TEST_CASE("a router restart mid-expansion resumes at the committed cursor") {
    TempStore s;
    directory(s);
    Config config = testing::router_config("[bulk]\nexpand_batch = 4\n");
    const std::string nid = s.fanout({"group:g1", "group:g2", "user:u05"}, "email");
    {
        store::FanoutStore fanouts(*s);
        router::Expander first(config, fanouts);
        first.scan(PartitionSet::all(1));
        CHECK(first.step(util::now_ms()) == 4);
        CHECK(first.step(util::now_ms()) == 2);  // the rest of g1; g2 starts after the restart
    }
    auto again = s.open();
    store::FanoutStore fanouts(*again);
    router::Expander second(config, fanouts);
    second.scan(PartitionSet::all(1));
    REQUIRE(second.busy());
    CHECK(expand_all(second) == 4);  // u07..u10: u04..u06 and u05 had theirs
    auto ds = again->deliveries_of(nid);
    REQUIRE(ds.size() == 10);
    std::set<std::string> users, ids;
    for (const auto& d : ds) {
        users.insert(d.user_id);
        ids.insert(d.id);
    }
    CHECK(users.size() == 10);
    CHECK(ids.size() == 10);
    CHECK(ds.back().id == delivery_id_for(nid, 9));
}

TEST_CASE("a restart mid-expansion of one group resumes at the cursor alone") {
    TempStore s;
    directory(s);
    Config config = testing::router_config("[bulk]\nexpand_batch = 3\n");
    const std::string nid = s.fanout({"group:g2"}, "email");
    {
        store::FanoutStore fanouts(*s);
        router::Expander first(config, fanouts);
        first.scan(PartitionSet::all(1));
        CHECK(first.step(util::now_ms()) == 3);  // u04..u06
    }
    auto again = s.open();
    store::FanoutStore fanouts(*again);
    router::Expander second(config, fanouts);
    second.scan(PartitionSet::all(1));
    CHECK(expand_all(second) == 4);  // u07..u10
    std::vector<std::string> users;
    for (const auto& d : again->deliveries_of(nid)) users.push_back(d.user_id);
    CHECK(users == std::vector<std::string>{"u04", "u05", "u06", "u07", "u08", "u09", "u10"});
}

TEST_CASE("a step carries its deliveries' seq and its users' opt-outs") {
    TempStore s;
    directory(s);
    s.exec("UPDATE users SET unsubscribed_at = 7 WHERE id = 'u02'");
    s.exec("INSERT INTO preferences VALUES ('u03', 'news', '', 1, 5), ('u03', '', 'sms', 0, 6)");
    s.exec("INSERT INTO preferences VALUES ('u09', 'news', 'email', 1, 8)");
    Config config = testing::router_config("[bulk]\nexpand_batch = 4\n");
    store::FanoutStore fanouts(*s);
    router::Expander expander(config, fanouts);
    std::vector<store::ExpansionStep> steps;
    expander.on_written([&](const store::ExpansionStep& step) { steps.push_back(step); });
    const std::string nid = s.fanout({"group:g1", "user:u09", "raw@example.com"}, "email");
    expander.scan(PartitionSet::all(1));
    expand_all(expander);
    REQUIRE(steps.size() == 2);  // u01..u04, then u05, u06, u09 and the address

    // Each step's deliveries follow the highest seq stored before it, in order.
    std::int64_t last = 0;
    for (const auto& step : steps) {
        CHECK(step.seq_before >= last);
        std::int64_t expect = step.seq_before;
        for (const Delivery& d : step.deliveries) CHECK(d.seq == ++expect);
        if (!step.deliveries.empty()) last = step.deliveries.back().seq;
    }
    auto stored = s->deliveries_of(nid);
    REQUIRE(stored.size() == 8);
    CHECK(stored.back().seq == last);

    // Only users with an opt-out are carried, with what the store holds.
    const auto& first = steps[0].opt_outs;
    CHECK(first.size() == 2);
    REQUIRE(first.count("u02"));
    CHECK(first.at("u02").unsubscribed_at == 7);
    CHECK(first.at("u02").preferences.empty());
    REQUIRE(first.count("u03"));
    const auto& prefs = first.at("u03").preferences;
    REQUIRE(prefs.size() == 2);
    CHECK(prefs[0].category.empty());
    CHECK(prefs[0].channel == "sms");
    CHECK_FALSE(prefs[0].opted_out);
    CHECK(prefs[1].category == "news");
    CHECK(prefs[1].opted_out);
    CHECK(prefs[1].updated_at == 5);
    REQUIRE(steps[1].opt_outs.size() == 1);  // u09, named by itself
    CHECK(steps[1].opt_outs.at("u09").preferences.at(0).channel == "email");
}

TEST_CASE("scheduled fan-outs make scheduled deliveries") {
    TempStore s;
    directory(s);
    Config config = testing::router_config();
    store::FanoutStore fanouts(*s);
    router::Expander expander(config, fanouts);
    const Millis at = util::now_ms() + 3'600'000;
    const std::string nid = s.fanout({"user:u01"}, "email", store::FanoutState::expanding, at);
    expander.scan(PartitionSet::all(1));
    expand_all(expander);
    auto ds = s->deliveries_of(nid);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].state == DeliveryState::scheduled);
    CHECK(ds[0].next_attempt_at == at);
}

TEST_CASE("approve and reject move a held fan-out, once") {
    TempStore s;
    directory(s);
    Config config = testing::router_config();
    store::FanoutStore fanouts(*s);
    router::Expander expander(config, fanouts);
    const std::string held = s.fanout({"group:g1"}, "email", store::FanoutState::pending_approval);
    expander.scan(PartitionSet::all(1));
    CHECK_FALSE(expander.busy());

    SECTION("approve") {
        auto r = fanouts.decide(held, true, "ann", "", 42);
        REQUIRE(r);
        CHECK(*r == store::FanoutState::expanding);
        CHECK(s.scalar("SELECT detail FROM events WHERE type = 'approved'") == "by ann");
        CHECK(s.scalar("SELECT decided_by FROM fanouts") == "ann");
        expander.scan(PartitionSet::all(1));
        CHECK(expand_all(expander) == 6);
        auto twice = fanouts.decide(held, true, "ann", "", 43);
        REQUIRE_FALSE(twice);
        CHECK(twice.error().code == "not_pending_approval");
        CHECK(twice.error().message ==
              "notification '" + held + "' is not waiting for approval (it is done)");
    }
    SECTION("reject") {
        auto r = fanouts.decide(held, false, "ann", "too many people", 42);
        REQUIRE(r);
        CHECK(*r == store::FanoutState::rejected);
        CHECK(s.scalar("SELECT detail FROM events WHERE type = 'rejected'") ==
              "by ann: too many people");
        CHECK(s.scalar("SELECT reason FROM fanouts") == "too many people");
        expander.scan(PartitionSet::all(1));
        CHECK_FALSE(expander.busy());
        CHECK(s->deliveries_of(held).empty());
    }
    SECTION("unknown ids and plain sends") {
        auto none = fanouts.decide("01NOSUCH", true, "ann", "", 42);
        REQUIRE_FALSE(none);
        CHECK(none.error().code == "not_found");
        CHECK(none.error().message == "no notification '01NOSUCH'");
        s.exec(
            "INSERT INTO notifications (id, created_at, channel, priority) VALUES "
            "('01PLAIN', 1, 'email', 1)");
        auto plain = fanouts.decide("01PLAIN", false, "ann", "no", 42);
        REQUIRE_FALSE(plain);
        CHECK(plain.error().code == "not_pending_approval");
    }
}

TEST_CASE("cancel stops a fan-out held for approval or being expanded") {
    TempStore s;
    directory(s);
    Config config = testing::router_config("[bulk]\nexpand_batch = 4\n");
    store::FanoutStore fanouts(*s);
    router::Expander expander(config, fanouts);

    SECTION("held for approval: approve is refused and nothing is expanded") {
        const std::string held =
            s.fanout({"group:g1"}, "email", store::FanoutState::pending_approval);
        auto c = fanouts.cancel(held, "ann", 42);
        REQUIRE(c);
        CHECK(*c);
        CHECK(s.scalar("SELECT state FROM fanouts") == "canceled");
        CHECK(s.scalar("SELECT detail FROM events WHERE type = 'canceled' AND delivery_id = '" +
                       held + "'") == "by ann");
        auto approve = fanouts.decide(held, true, "bob", "", 43);
        REQUIRE_FALSE(approve);
        CHECK(approve.error().code == "not_pending_approval");
        CHECK(approve.error().message ==
              "notification '" + held + "' is not waiting for approval (it is canceled)");
        expander.scan(PartitionSet::all(1));
        CHECK_FALSE(expander.busy());
        CHECK(s->deliveries_of(held).empty());
        auto again = fanouts.cancel(held, "ann", 44);  // already canceled: nothing to stop
        REQUIRE(again);
        CHECK_FALSE(*again);
        CHECK(s.count("SELECT COUNT(*) FROM events WHERE type = 'canceled'") == 1);
        auto v = s->get_notification(held, true);
        REQUIRE(v);
        REQUIRE(v->fanout);
        CHECK(v->fanout->state == store::FanoutState::canceled);
    }
    SECTION("mid-expansion: no step is written after it") {
        const std::string nid = s.fanout({"group:g1", "group:g2"}, "email");
        expander.scan(PartitionSet::all(1));
        CHECK(expander.step(util::now_ms()) == 4);
        auto c = fanouts.cancel(nid, "", 50);
        REQUIRE(c);
        CHECK(*c);
        CHECK(s.scalar("SELECT detail FROM events WHERE type = 'canceled'") == "canceled");
        expander.drop(nid);
        CHECK_FALSE(expander.busy());
        CHECK(expander.step(util::now_ms()) == 0);
        expander.scan(PartitionSet::all(1));  // a canceled fan-out is not picked up again
        CHECK_FALSE(expander.busy());
        CHECK(s->deliveries_of(nid).size() == 4);
        CHECK(s.scalar("SELECT expanded FROM fanouts") == "4");
    }
    SECTION("an expander not told of the cancel drops the fan-out at its next step") {
        const std::string nid = s.fanout({"group:g1", "group:g2"}, "email");
        expander.scan(PartitionSet::all(1));
        CHECK(expander.step(util::now_ms()) == 4);
        REQUIRE(*fanouts.cancel(nid, "ann", 50));
        CHECK(expander.step(util::now_ms()) == 0);
        CHECK_FALSE(expander.busy());
        CHECK(s->deliveries_of(nid).size() == 4);
    }
    SECTION("done, rejected and plain sends have no fan-out to stop") {
        const std::string nid = s.fanout({"user:u01"}, "email");
        expander.scan(PartitionSet::all(1));
        expand_all(expander);
        auto done = fanouts.cancel(nid, "ann", 50);
        REQUIRE(done);
        CHECK_FALSE(*done);
        CHECK(s.scalar("SELECT state FROM fanouts") == "done");
        auto none = fanouts.cancel("01NOSUCH", "ann", 50);
        REQUIRE(none);
        CHECK_FALSE(*none);
        CHECK(s.count("SELECT COUNT(*) FROM events WHERE type = 'canceled'") == 0);
    }
}

TEST_CASE("the router's cancel stops an expansion and cancels what it made") {
    TempStore s;
    s.big_group("everyone", 20000);
    // One recipient a step: the expansion takes many rounds, and is stopped in one.
    Config config = testing::router_config("[bulk]\nexpand_batch = 1\n");
    testing::own_sockets(config, "cancel");
    const std::string nid = s.fanout({"group:everyone"}, "email");
    {
        // The first steps, as a router that stopped mid-expansion left them.
        store::FanoutStore fanouts(*s);
        router::Expander first(config, fanouts);
        first.scan(PartitionSet::all(1));
        for (int i = 0; i < 5; ++i) REQUIRE(first.step(util::now_ms()) == 1);
    }

    auto reader = s.open();
    std::atomic<bool> stop{false};
    std::string reply;
    {
        router::Router r(config, *s);
        REQUIRE(r.start());
        std::thread loop([&] { r.run(stop); });
        // Asked at once: the router takes a round per recipient, far more than this.
        zmq::context_t ctx;
        reply = control_request(ctx, config.router.control,
                                R"({"op":"cancel","id":")" + nid + R"(","by":"ann"})");
        const std::size_t at_cancel = reader->deliveries_of(nid).size();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CHECK(reader->deliveries_of(nid).size() == at_cancel);  // nothing more is expanded
        stop = true;
        loop.join();
    }
    INFO(reply);
    CHECK(reply.find(R"("fanout":"canceled")") != std::string::npos);
    auto ds = reader->deliveries_of(nid);
    REQUIRE(ds.size() >= 5);
    CHECK(ds.size() < 20000);
    for (const auto& d : ds) CHECK(d.state == DeliveryState::canceled);
    CHECK(reply.find("\"canceled\":" + std::to_string(ds.size()) + ",") != std::string::npos);
    auto v = reader->get_notification(nid, true);
    REQUIRE(v);
    REQUIRE(v->fanout);
    CHECK(v->fanout->state == store::FanoutState::canceled);
    CHECK(v->fanout->expanded == static_cast<std::int64_t>(ds.size()));
    bool event = false;
    for (const auto& e : v->events)
        if (e.delivery_id == nid && e.type == "canceled") event = e.detail == "by ann";
    CHECK(event);
}

TEST_CASE("what is stored while a fan-out expands is gated in store order with it") {
    TempStore s;
    s.big_group("everyone", 3000);
    s.exec("UPDATE users SET unsubscribed_at = 1 WHERE id = 'user000007'");
    s.exec("INSERT INTO unsubscribed_addresses VALUES ('email', 'gone@example.com', '', 1)");
    // Small steps: the expansion takes many rounds, between which sends arrive.
    Config config = testing::router_config("[bulk]\nexpand_batch = 50\n");
    testing::own_sockets(config, "interleave");
    const std::string nid = s.fanout({"group:everyone"}, "email");

    auto sender = s.open();
    auto reader = s.open();
    constexpr int kSends = 200;
    std::atomic<bool> stop{false};
    {
        router::Router r(config, *s);
        REQUIRE(r.start());
        std::thread loop([&] { r.run(stop); });
        for (int i = 0; i < kSends; ++i) {
            store::Accepted a;
            Notification& n = a.notification;
            n.created_at = util::now_ms();
            n.id = util::new_ulid(n.created_at);
            n.channel = "email";
            n.to = {"gone@example.com"};
            n.body = "b";
            Delivery d;
            d.id = delivery_id_for(n.id, 0);
            d.notification_id = n.id;
            d.channel = "email";
            d.recipient = "gone@example.com";
            d.created_at = d.updated_at = n.created_at;
            a.deliveries.push_back(d);
            std::vector<store::Accepted> batch{std::move(a)};
            REQUIRE(sender->insert_batch(batch));
        }
        // Every send is found and suppressed, along with the fan-out's one
        // unsubscribed member; nothing is skipped past.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        long suppressed = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            suppressed = reader->deliveries_of(nid).size() == 3000
                             ? s.count("SELECT count(*) FROM deliveries WHERE state = 'suppressed'",
                                       reader.get())
                             : 0;
            if (suppressed == kSends + 1) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stop = true;
        loop.join();
        CHECK(suppressed == kSends + 1);
    }
    CHECK(s.count("SELECT count(*) FROM deliveries WHERE state = 'suppressed' AND "
                  "last_error = 'unsubscribed' AND (recipient = 'gone@example.com' OR user_id = "
                  "'user000007')") == kSends + 1);
    CHECK(s.count("SELECT count(*) FROM deliveries WHERE notification_id = '" + nid +
                  "' AND state = 'queued'") == 2999);
    CHECK(s.scalar("SELECT value FROM settings WHERE `key` = 'router.gated_seq'") ==
          s.scalar("SELECT max(seq) FROM deliveries"));
}

TEST_CASE("expanding a group of 100,000 users") {
    TempStore s;
    s.big_group("everyone", 100000);
    Config config = testing::router_config();  // bulk.expand_batch = 5000
    store::FanoutStore fanouts(*s);
    router::Expander expander(config, fanouts);
    const std::string nid = s.fanout({"group:everyone"}, "email");
    expander.scan(PartitionSet::all(1));
    int steps = 0;
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    const std::size_t written = expand_all(expander, &steps);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    // CPU time too: on a busy machine the wall clock counts other programs' turns.
    std::printf(
        "fan-out expansion: %zu deliveries in %d steps, %.3f s (%.0f/s), cpu %.3f s (%.0f/s)\n",
        written, steps, seconds, static_cast<double>(written) / seconds, cpu,
        static_cast<double>(written) / cpu);
    CHECK(written == 100000);
    CHECK(steps == 21);  // 20 full steps, and one that finds the group ends
    CHECK(s.count("SELECT COUNT(DISTINCT user_id) FROM deliveries WHERE notification_id = '" + nid +
                  "'") == 100000);
}
