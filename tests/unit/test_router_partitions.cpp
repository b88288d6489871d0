// test_router_partitions.cpp - which partition a delivery belongs to
// (partitions.hpp), and routers serving some partitions of one store: each
// takes in its own deliveries and fan-outs, and none of another's.
#include <catch2/catch.hpp>
#include <zmq.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "partitions.hpp"
#include "report/report.hpp"
#include "store/db.hpp"
#include "store/rollup_store.hpp"
#include "test_router_fixture.hpp"
#include "test_router_worker.hpp"

using namespace notify;
using notify::testing::FakeWorker;
using notify::testing::RunningRouter;
using notify::testing::TempStore;

TEST_CASE("partitions: by user, else by address, as the store's CRC32() counts") {
    CHECK(crc32("") == 0u);
    CHECK(crc32("123456789") == 0xCBF43926u);  // the check value of CRC-32/ISO-HDLC
    CHECK(crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);

    Delivery d;
    d.notification_id = "01N0TIFICATI0N";
    CHECK(partition_of(d, 16) == static_cast<int>(crc32("01N0TIFICATI0N") % 16));  // a robot's
    d.recipient = "ann@example.com";
    CHECK(partition_of(d, 16) == static_cast<int>(crc32("ann@example.com") % 16));
    d.user_id = "u-42";
    CHECK(partition_of(d, 16) == static_cast<int>(crc32("u-42") % 16));
    CHECK(partition_of(d, 1) == 0);

    const PartitionSet some(8, {6, 0, 1, 2, 3, 3});
    CHECK(some.describe() == "0-3,6");
    CHECK_FALSE(some.holds_all());
    CHECK(some.contains(6));
    CHECK_FALSE(some.contains(5));
    CHECK_FALSE(some.contains(8));
    CHECK(PartitionSet(8, {}).describe().empty());
    CHECK(PartitionSet::all(4).holds_all());
    CHECK(PartitionSet::all(4).describe() == "0-3");
    CHECK(PartitionSet::all(1).serves(d));
    CHECK(PartitionSet::all(0).holds_all());  // a count unset is one partition

    // What describe() writes reads back; anything else does not.
    for (const char* text : {"0-3,6", "", "7", "0-7"}) {
        auto back = PartitionSet::parse(text, 8);
        REQUIRE(back);
        CHECK(back->describe() == text);
    }
    for (const char* text : {"8", "3-1", "a", "1,,2", "-1", "1-", "99999"})
        CHECK_FALSE(PartitionSet::parse(text, 8));
    PartitionSet both = *PartitionSet::parse("0-1", 4);
    both.add(*PartitionSet::parse("3", 4));
    CHECK(both.describe() == "0-1,3");
    both.add(*PartitionSet::parse("2", 4));
    CHECK(both.holds_all());

    // MariaDB's CRC32() agrees, so that a statement can ask for a partition.
    TempStore s;
    if (s->handle().dialect() == store::Dialect::mariadb) {
        const std::vector<std::string> keys = {"123456789", "u-42", "ann@example.com",
                                               "\xe7\x94\xa8\xe6\x88\xb7", std::string(300, 'x')};
        for (const std::string& key : keys)
            CHECK(std::stoul(s.scalar("SELECT CRC32('" + key + "')")) == crc32(key));
    }
}

namespace {
Config partition_config(const std::string& tag) {
    Config c = testing::router_config("[router]\npartitions = 4\nsweep_interval = \"100ms\"\n");
    testing::own_sockets(c, tag);
    return c;
}
}  // namespace

TEST_CASE("the store reads the new deliveries of some partitions only, as partition_of counts") {
    TempStore s;
    // By user, by address, and by notification (a channel that needs no address).
    std::vector<Delivery> made;
    for (int i = 0; i < 90; ++i) {
        Delivery d;
        d.notification_id = "01N" + std::to_string(i * 7919);
        d.id = d.notification_id + ".0";
        if (i % 3 == 0) d.user_id = "user-" + std::to_string(i);
        if (i % 3 != 2) d.recipient = "a" + std::to_string(i) + "@example.com";
        s.exec(
            "INSERT INTO deliveries (id, notification_id, channel, recipient, priority, state, "
            "created_at, updated_at, user_id) VALUES ('" +
            d.id + "', '" + d.notification_id + "', 'c', '" + d.recipient +
            "', 1, 'queued', 1, 1, '" + d.user_id + "')");
        made.push_back(d);
    }
    const std::int64_t last = (*s).max_delivery_seq();
    for (int count : {1, 3, 4}) {
        std::set<std::string> seen;
        for (int p = 0; p < count; ++p) {
            const PartitionSet one(count, {p});
            for (const Delivery& d : (*s).load_new(one, 0, 100, last)) {
                CHECK(partition_of(d, count) == p);
                CHECK(seen.insert(d.id).second);
            }
        }
        CHECK(seen.size() == made.size());  // every one, in one partition
    }
    // Only the seqs asked, in store order, as many as asked; none for no partitions.
    const auto some = (*s).load_new(PartitionSet(2, {0, 1}), last - 10, 100, last - 5);
    REQUIRE(some.size() == 5);
    CHECK(some.front().seq == last - 9);
    CHECK(some.back().seq == last - 5);
    const PartitionSet first(3, {0});
    const auto few = (*s).load_new(first, 0, 2, last);
    REQUIRE(few.size() == 2);
    CHECK(partition_of(few[0], 3) == 0);
    CHECK(few[0].seq < few[1].seq);
    CHECK((*s).load_new(PartitionSet(4, {}), 0, 100, last).empty());
}

TEST_CASE("routers serving some partitions each hand out their own deliveries, all of them once") {
    TempStore s;
    const Millis began = util::now_ms();
    // Reports count from the first delivery (not from the counter's start).
    s.exec("BEGIN");
    store::RollupStore(*s).write_marks({0, 0, 1});
    s.exec("COMMIT");
    // Raw addresses go by address; a group's members by user, expanded by
    // the router serving the notification's partition.
    std::map<std::string, int> partition_of_delivery;  // delivery id -> partition
    std::vector<std::string> to;
    for (int i = 0; i < 24; ++i) to.push_back("r" + std::to_string(i) + "@example.com");
    const std::string raw = testing::send(*s, "email", to);
    for (std::size_t i = 0; i < to.size(); ++i)
        partition_of_delivery[delivery_id_for(raw, i)] = partition_of_key(to[i], 4);
    std::vector<std::string> members;
    for (int i = 0; i < 16; ++i) {
        const std::string id = "m" + std::to_string(i);
        s.user(id, id + "@example.com");
        members.push_back(id);
    }
    s.group("team", members);
    const std::string team = s.fanout({"group:team"}, "email");

    const Config one = partition_config("part-a");
    const Config two = partition_config("part-b");
    std::map<std::string, int> served_by;  // delivery id -> 1 or 2
    std::set<int> partitions_of[3];
    {
        RunningRouter a(one, s, PartitionSet(4, {0, 1}));
        RunningRouter b(two, s, PartitionSet(4, {2, 3}));
        zmq::context_t ctx;
        FakeWorker wa(ctx, one.router.listen, 8);
        FakeWorker wb(ctx, two.router.listen, 8);
        // Until every delivery is handed out (or a deadline passes).
        const Millis deadline = util::now_ms() + 30'000;
        while (served_by.size() < 40 && util::now_ms() < deadline) {
            for (int which : {1, 2}) {
                FakeWorker& w = which == 1 ? wa : wb;
                while (auto j = w.job(50)) {
                    CHECK(served_by.emplace(j->delivery_id, which).second);  // once
                    const int p = j->notification_id == team
                                      ? partition_of_key(j->user_id, 4)
                                      : partition_of_delivery.at(j->delivery_id);
                    partitions_of[which].insert(p);
                    w.answer(*j, wire::Outcome::sent, "250");
                }
            }
        }
        CHECK_FALSE(wa.job(300));  // nothing twice
        CHECK_FALSE(wb.job(300));
        CHECK(testing::eventually([&] {
            return s.count("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'",
                           s.open().get()) == 40;
        }));
        // Counted once, from the store, by the router serving partition 0,
        // whichever router sent them.
        auto reports = s.open();
        store::RollupStore rollups(*reports);
        std::int64_t accepted = 0, sent = 0;
        CHECK(testing::eventually(
            [&] {
                auto made = report::make(rollups, {began - 60'000, util::now_ms() + 60'000, {}});
                REQUIRE(made);
                accepted = made->total.count("accepted");
                sent = made->total.count("sent");
                return sent == 40;
            },
            15'000));
        CHECK(accepted == 40);
        CHECK(sent == 40);
    }
    {
        // Started again, the counter counts from the marks: nothing twice.
        RunningRouter again(one, s, PartitionSet(4, {0, 1}));
    }
    store::RollupStore rollups(*s);
    auto made = report::make(rollups, {began - 60'000, util::now_ms() + 60'000, {}});
    REQUIRE(made);
    CHECK(made->total.count("accepted") == 40);
    CHECK(made->total.count("sent") == 40);
    CHECK(served_by.size() == 40);  // 24 addresses and 16 members
    CHECK(partitions_of[1] == std::set<int>{0, 1});
    CHECK(partitions_of[2] == std::set<int>{2, 3});
    // The fan-out was expanded once, by the router serving its notification.
    CHECK(s.count("SELECT COUNT(*) FROM deliveries WHERE notification_id = '" + team + "'") == 16);
}

TEST_CASE("a router serving some partitions takes their share of a provider's rate limit") {
    const PartitionSet half(4, {0, 1});
    CHECK(half.share_of(10) == 5);
    CHECK(half.share_of(1) == 1);  // every router may send
    CHECK(half.share_of(0) == 0);  // no limit stays none
    CHECK(PartitionSet(3, {2}).share_of(10) == 3);
    CHECK(PartitionSet::all(4).share_of(7) == 7);

    TempStore s;
    Config config = testing::router_config(R"(
[router]
partitions = 4
[providers.robot]
type = "dingtalk-robot"
rate_limit = "4/1m"
[channels.robot]
providers = ["robot"]
)");
    testing::own_sockets(config, "share");
    // A robot's deliveries have no recipient: they go by their notification.
    const std::string id = testing::send(*s, "robot", {"", "", "", "", "", ""});
    const int theirs = partition_of_key(id, 4);
    int handed = 0;
    {
        RunningRouter r(config, s, PartitionSet(4, {theirs, (theirs + 1) % 4}));
        zmq::context_t ctx;
        FakeWorker w(ctx, config.router.listen, 8);
        // Two at once, then none for a while.
        for (int wait : {10'000, 10'000, 1'500}) {
            auto j = w.job(wait);
            if (!j) break;
            CHECK(j->notification_id == id);
            w.answer(*j, wire::Outcome::sent, "200");
            ++handed;
        }
    }
    CHECK(handed == 2);  // half of 4 a minute
}

TEST_CASE(
    "a router serving some partitions answers for its own deliveries, fan-outs and "
    "schedules only") {
    TempStore s;
    std::vector<std::string> to;
    for (int i = 0; i < 24; ++i) to.push_back("c" + std::to_string(i) + "@example.com");
    const std::string id = testing::send(*s, "email", to);
    const PartitionSet mine(4, {0, 1}), theirs(4, {2, 3});
    long own = 0;
    std::string other_delivery;
    for (std::size_t i = 0; i < to.size(); ++i) {
        if (mine.contains(partition_of_key(to[i], 4)))
            ++own;
        else
            other_delivery = delivery_id_for(id, i);
    }
    REQUIRE(own > 0);
    REQUIRE(own < 24);
    // One of the others went out, for its receipt.
    s.exec(
        "UPDATE deliveries SET state = 'sent', provider = 'mail', provider_message_id = 'm1' "
        "WHERE id = '" +
        other_delivery + "'");
    // A fan-out held for approval, and a schedule's name, of each set.
    std::string held_mine, held_theirs;
    while (held_mine.empty() || held_theirs.empty()) {
        const std::string f =
            s.fanout({"x@example.com"}, "email", store::FanoutState::pending_approval);
        (mine.serves_key(f) ? held_mine : held_theirs) = f;
    }
    std::string name_mine = "nightly", name_theirs = "nightly";
    for (int i = 0; !mine.serves_key(name_mine); ++i) name_mine = "nightly-" + std::to_string(i);
    for (int i = 0; mine.serves_key(name_theirs); ++i) name_theirs = "nightly-" + std::to_string(i);

    Config one = partition_config("answer-a"), two = partition_config("answer-b");
    zmq::context_t ctx;
    auto ask = [&](const Config& c, const nlohmann::json& request) {
        return nlohmann::json::parse(
            testing::control_request(ctx, c.router.control, request.dump()));
    };
    auto canceled = [&] {
        return s.count("SELECT COUNT(*) FROM deliveries WHERE state = 'canceled'", s.open().get());
    };
    {
        RunningRouter a(one, s, mine);
        // No worker: the deliveries stay queued.
        auto c = ask(one, {{"op", "cancel"}, {"id", id}});
        CHECK(c["canceled"] == own);
        CHECK(canceled() == own);
        auto r = ask(one, {{"op", "resend"}, {"id", id}});
        CHECK(r["requeued"] == own);
        CHECK(canceled() == 0);
        CHECK(ask(one, {{"op", "approve"}, {"id", held_theirs}})["not_served"] == true);
        CHECK(ask(one, {{"op", "approve"}, {"id", held_mine}})["state"] == "expanding");
        auto t = ask(one, {{"op", "track"},
                           {"events", {{{"delivery_id", other_delivery}, {"status", "read"}}}}});
        CHECK(t["not_served"] == 1);
        CHECK(t["ignored"] == 0);
        auto q =
            ask(one, {{"op", "receipt"},
                      {"provider", "mail"},
                      {"receipts", {{{"delivery_id", other_delivery}, {"status", "delivered"}}}}});
        CHECK(q["not_served"] == 1);
        CHECK(ask(one, {{"op", "schedule"},
                        {"action", "remove"},
                        {"name", name_theirs}})["not_served"] == true);
        CHECK(ask(one, {{"op", "schedule"},
                        {"action", "remove"},
                        {"name", name_mine}})["error"]["code"] == "not_found");
    }
    {
        RunningRouter b(two, s, theirs);
        CHECK(ask(two, {{"op", "cancel"}, {"id", id}})["canceled"] == 23 - own);
        CHECK(ask(two, {{"op", "approve"}, {"id", held_mine}})["not_served"] == true);
    }
    CHECK(canceled() == 23 - own);  // the first router's were sent again, and wait
}
