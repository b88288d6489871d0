#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "mariadb_server.hpp"
#include "store/directory_store.hpp"
#include "store/schema.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "util/id.hpp"

using namespace notify;

namespace {
store::Accepted make(const std::string& channel, std::vector<std::string> to, Priority p) {
    store::Accepted a;
    a.notification.id = util::new_ulid();
    a.notification.created_at = util::now_ms();
    a.notification.channel = channel;
    a.notification.to = to;
    a.notification.subject = "hello";
    a.notification.body = "world";
    a.notification.priority = p;
    for (size_t i = 0; i < to.size(); ++i) {
        Delivery d;
        d.id = delivery_id_for(a.notification.id, i);
        d.notification_id = a.notification.id;
        d.channel = channel;
        d.recipient = to[i];
        d.priority = p;
        d.created_at = d.updated_at = a.notification.created_at;
        a.deliveries.push_back(d);
    }
    return a;
}

// A new, empty store on `backend`.
std::unique_ptr<store::Store> open_on(const std::string& backend) {
    auto st = backend == "mariadb" ? store::Store::open(testing::fresh_mariadb_database(), {})
                                   : store::Store::open(":memory:", {});
    REQUIRE(st);
    return std::move(*st);
}
}  // namespace

TEST_CASE("store keeps notifications, deliveries and their events") {
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "mariadb");
    INFO("on " << backend);
    auto opened = open_on(backend);
    auto& s = *opened;
    CHECK(s.schema_version() == store::newest_schema_version());

    std::vector<store::Accepted> batch{
        make("email", {"a@example.com", "b@example.com"}, Priority::high),
        make("email", {"c@example.com"}, Priority::low)};
    batch[0].notification.idempotency_key = "k1";
    batch[0].notification.api_key_id = "keya";
    batch[0].request_hash = "h1";
    REQUIRE(s.insert_batch(batch));
    CHECK(batch[0].deliveries[0].seq < batch[0].deliveries[1].seq);
    CHECK(batch[1].deliveries[0].seq > batch[0].deliveries[1].seq);

    SECTION("read back with events") {
        auto v = s.get_notification(batch[0].notification.id, true);
        REQUIRE(v);
        CHECK(v->notification.to.size() == 2);
        CHECK(v->deliveries.size() == 2);
        CHECK(v->events.size() == 2);
        CHECK(v->events[0].type == "accepted");
        CHECK_FALSE(s.get_notification("nope", false));
        CHECK(s.get_notification("nope", false).error().kind == ErrorKind::not_found);
    }
    SECTION("idempotency within the window only, per API key") {
        auto r = s.find_idempotency("keya", "k1", util::now_ms(), 86'400'000);
        REQUIRE(r);
        CHECK(r->notification_id == batch[0].notification.id);
        CHECK_FALSE(s.find_idempotency("keya", "k1", util::now_ms() + 90'000'000, 86'400'000));
        CHECK_FALSE(s.find_idempotency("keya", "k2", util::now_ms(), 86'400'000));
        CHECK_FALSE(s.find_idempotency("keyb", "k1", util::now_ms(), 86'400'000));
        auto v = s.get_notification(batch[0].notification.id, false);
        REQUIRE(v);
        CHECK(v->notification.api_key_id == "keya");
    }
    SECTION("router reads new and active work, applies transitions") {
        CHECK(s.load_new(0, 10).size() == 3);
        CHECK(s.load_new(batch[0].deliveries[1].seq, 10).size() == 1);
        CHECK(s.max_delivery_seq() == batch[1].deliveries[0].seq);
        auto job = s.load_job(batch[0].deliveries[0].id);
        REQUIRE(job);
        CHECK(job->to == "a@example.com");
        CHECK(job->attempt == 1);
        // Several at once; one not in the store gives none.
        auto jobs = s.load_jobs({batch[1].deliveries[0].id, "none", batch[0].deliveries[1].id});
        REQUIRE(jobs.size() == 2);
        std::sort(jobs.begin(), jobs.end(),
                  [](const wire::Job& a, const wire::Job& b) { return a.to < b.to; });
        CHECK(jobs[0].to == "b@example.com");
        CHECK(jobs[0].priority == Priority::high);
        CHECK(jobs[1].to == "c@example.com");
        CHECK(jobs[1].delivery_id == batch[1].deliveries[0].id);
        CHECK(jobs[1].notification_id == batch[1].notification.id);
        store::Transition t;
        t.delivery_id = batch[0].deliveries[0].id;
        t.state = DeliveryState::sent;
        t.attempts = 1;
        t.provider = "corp-mail";
        t.provider_message_id = "<x@y>";
        t.at = util::now_ms();
        t.event_type = "sent";
        REQUIRE(s.apply({t}));
        int active = 0;
        s.for_each_active([&](const Delivery&) { ++active; });
        CHECK(active == 2);
        auto v = s.get_notification(batch[0].notification.id, true);
        CHECK(v->deliveries[0].state == DeliveryState::sent);
        CHECK(v->deliveries[0].provider == "corp-mail");
        CHECK(v->events.size() == 3);
        auto rows = s.queue_rows();
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].priority == Priority::high);
        CHECK(rows[0].count == 1);
    }
    SECTION("a row superseded in the same batch is written once, every event kept") {
        store::Transition dispatched;
        dispatched.delivery_id = batch[1].deliveries[0].id;
        dispatched.state = DeliveryState::in_flight;
        dispatched.attempts = 1;
        dispatched.provider = "p1";
        dispatched.at = util::now_ms();
        dispatched.event_type = "dispatched";
        dispatched.update_row = false;
        store::Transition failed = dispatched;
        failed.state = DeliveryState::failed;
        failed.last_error = "550 no such user";
        failed.event_type = "failed";
        failed.update_row = true;
        REQUIRE(s.apply({dispatched, failed}));
        auto v = s.get_notification(batch[1].notification.id, true);
        CHECK(v->deliveries[0].state == DeliveryState::failed);
        CHECK(v->deliveries[0].last_error == "550 no such user");
        REQUIRE(v->events.size() == 3);
        CHECK(v->events[1].type == "dispatched");
        CHECK(v->events[2].type == "failed");
    }
    SECTION("list pages newest first with filters") {
        store::ListFilter f;
        f.limit = 1;
        auto p1 = s.list_notifications(f);
        REQUIRE(p1);
        REQUIRE(p1->notifications.size() == 1);
        CHECK(p1->notifications[0].notification.id == batch[1].notification.id);
        f.cursor = p1->next_cursor;
        auto p2 = s.list_notifications(f);
        REQUIRE(p2->notifications.size() == 1);
        CHECK(p2->notifications[0].notification.id == batch[0].notification.id);
        CHECK(p2->next_cursor.empty());
        store::ListFilter g;
        g.priority = Priority::low;
        CHECK(s.list_notifications(g)->notifications.size() == 1);
        g = {};
        g.status = DeliveryState::sent;
        CHECK(s.list_notifications(g)->notifications.empty());
    }
    SECTION("API keys are stored hashed and checked whole") {
        auto key = s.create_api_key("ci", "send");
        REQUIRE(key);
        auto found = s.find_api_key(*key);
        REQUIRE(found);
        CHECK(found->scope == "send");
        CHECK_FALSE(s.find_api_key(*key + "x"));
        CHECK_FALSE(s.create_api_key("x", "root"));
        REQUIRE(s.revoke_api_key("ci"));
        CHECK_FALSE(s.find_api_key(*key));
    }
}

TEST_CASE("a store closed before another owner's statements frees its connection") {
    { REQUIRE(store::Store::open(":memory:", {})); }  // SQLite's one-time allocations
    const sqlite3_int64 before = sqlite3_memory_used();
    {
        auto st = store::Store::open(":memory:", {});
        REQUIRE(st);
        auto directory = std::make_unique<store::DirectoryStore>(**st);
        st->reset();  // the directory's statements are still prepared
        directory.reset();
    }
    CHECK(sqlite3_memory_used() == before);
}

TEST_CASE("processes opening a new store at the same moment all get it") {
    char tmpl[] = "/tmp/notify-store-race-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    const std::string dir = tmpl;
    int opened = 0;
    for (int round = 0; round < 30; ++round) {
        const std::string path = dir + "/race" + std::to_string(round) + ".db";
        bool ok[3] = {false, false, false};
        std::vector<std::thread> openers;
        for (int i = 0; i < 3; ++i)
            openers.emplace_back(
                [&, i] { ok[i] = static_cast<bool>(store::Store::open(path, {})); });
        for (auto& t : openers) t.join();
        opened += ok[0] + ok[1] + ok[2];
    }
    std::filesystem::remove_all(dir);
    CHECK(opened == 90);
}

TEST_CASE("a store given the index of notifications by key loses it on opening") {
    char tmpl[] = "/tmp/notify-store-v4-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    const std::string path = std::string(tmpl) + "/notify.db";
    auto indexes = [&] {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM sqlite_master WHERE name = 'notifications_by_key'",
                           -1, &st, nullptr);
        sqlite3_step(st);
        int n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return n;
    };
    int version = 0;
    {
        // As an earlier form of migration 4 left a store.
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
        store::SqliteDb db(raw, 5000);
        store::migrate(db, 4);
        REQUIRE(sqlite3_exec(raw,
                             "CREATE INDEX notifications_by_key ON notifications (api_key_id, id);",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    REQUIRE(indexes() == 1);
    {
        auto s = store::Store::open(path, {});
        REQUIRE(s);
        version = (*s)->schema_version();
    }
    CHECK(version >= 5);
    CHECK(indexes() == 0);
    std::filesystem::remove_all(tmpl);
}

TEST_CASE("a store of schema 12 keeps its notifications and users when it gains holds") {
    char tmpl[] = "/tmp/notify-store-v12-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    const std::string path = std::string(tmpl) + "/notify.db";
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
        store::SqliteDb db(raw, 5000);
        store::migrate(db, 12);
        REQUIRE(sqlite3_exec(raw,
                             "INSERT INTO notifications (id, created_at, channel, priority) "
                             "VALUES ('n1', 1, 'email', 2);"
                             "INSERT INTO users (id, timezone, created_at, updated_at) "
                             "VALUES ('ann', 'Asia/Shanghai', 1, 1);",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    {
        auto s = store::Store::open(path, {});
        REQUIRE(s);
        CHECK((*s)->schema_version() >= 13);
        auto n = (*s)->get_notification("n1", false);
        REQUIRE(n);
        CHECK_FALSE(n->notification.bulk);
        store::DirectoryStore directory(**s);
        auto quiet = directory.quiet_hours_of("ann");
        REQUIRE(quiet);
        CHECK(quiet->timezone == "Asia/Shanghai");
        CHECK(quiet->quiet_hours.empty());
        CHECK_FALSE(directory.any_quiet_hours());
    }
    std::filesystem::remove_all(tmpl);
}

TEST_CASE("a list page reads a bounded window; a time range is an id range") {
    auto st = store::Store::open(":memory:", {});
    REQUIRE(st);
    auto& s = **st;
    // 30 notifications a minute apart; the 3 oldest are high priority.
    const Millis t0 = 1'790'000'000'000;
    std::vector<store::Accepted> batch;
    std::vector<std::string> ids;
    for (int i = 0; i < 30; ++i) {
        auto a = make("email", {"a@example.com"}, i < 3 ? Priority::high : Priority::low);
        a.notification.created_at = t0 + i * 60'000;
        // As new_ulid makes them, without its guard against a clock set back
        // (other tests in this process made ids of today).
        a.notification.id = util::ulid_prefix(a.notification.created_at) + std::string(16, 'A');
        for (auto& d : a.deliveries) {
            d.notification_id = a.notification.id;
            d.id = delivery_id_for(a.notification.id, 0);
        }
        ids.push_back(a.notification.id);
        batch.push_back(std::move(a));
    }
    REQUIRE(s.insert_batch(batch));

    SECTION("rare matches: short pages that read on until the range ends") {
        store::ListFilter f;
        f.priority = Priority::high;
        f.window = 10;
        std::vector<std::string> found;
        int pages = 0;
        do {
            auto page = s.list_notifications(f);
            REQUIRE(page);
            for (const auto& v : page->notifications) found.push_back(v.notification.id);
            f.cursor = page->next_cursor;
            ++pages;
        } while (!f.cursor.empty() && pages < 10);
        CHECK(pages == 3);
        CHECK(found == std::vector<std::string>{ids[2], ids[1], ids[0]});
    }
    SECTION("no filter and an indexed one read no window") {
        store::ListFilter f;
        f.window = 5;
        f.limit = 20;
        CHECK(s.list_notifications(f)->notifications.size() == 20);
        f.status = std::nullopt;
        f.fanout = store::FanoutState::pending_approval;
        CHECK(s.list_notifications(f)->next_cursor.empty());
    }
    SECTION("since and until pick exactly the minutes asked") {
        store::ListFilter f;
        f.since = t0 + 10 * 60'000;
        f.until = t0 + 13 * 60'000;
        auto page = s.list_notifications(f);
        REQUIRE(page);
        std::vector<std::string> got;
        for (const auto& v : page->notifications) got.push_back(v.notification.id);
        CHECK(got == std::vector<std::string>{ids[12], ids[11], ids[10]});
        CHECK(page->next_cursor.empty());
        f.since = t0 + 10 * 60'000 + 1;  // one ms later: the 10th is out
        CHECK(s.list_notifications(f)->notifications.size() == 2);
    }
    SECTION("a common delivery state pages as any list does") {
        store::ListFilter f;
        f.status = DeliveryState::queued;
        f.limit = 25;
        auto page = s.list_notifications(f);
        REQUIRE(page);
        CHECK(page->notifications.size() == 25);
        CHECK(page->next_cursor == ids[5]);
    }
}
