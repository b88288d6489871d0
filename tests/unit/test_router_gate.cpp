#include <catch2/catch.hpp>

#include "gate.hpp"
#include "store/directory_store.hpp"
#include "store/fanout_store.hpp"
#include "test_router_fixture.hpp"
#include "transition_log.hpp"

using namespace notify;
using notify::testing::TempStore;

namespace {

constexpr Millis kMinute = 60'000;

struct GateFixture {
    explicit GateFixture(const std::string& extra = {})
        : config(testing::router_config(extra)),
          fanouts(*s),
          directory(*s),
          facts(fanouts),
          gate(config, fanouts, directory, facts) {}

    // A notification of `category` with `body`; returns its id.
    std::string notification(const std::string& category, const std::string& body = "hello",
                             const std::string& template_name = {}) {
        const std::string id = "n" + std::to_string(++notifications);
        s.exec(
            "INSERT INTO notifications (id, created_at, channel, body, template, category, "
            "priority) VALUES ('" +
            id + "', 1, 'email', '" + body + "', '" + template_name + "', '" + category + "', 1)");
        return id;
    }
    Delivery delivery(const std::string& nid, const std::string& channel,
                      const std::string& recipient, const std::string& user_id, Millis at) {
        Delivery d;
        d.id = nid + "." + std::to_string(++deliveries);
        d.notification_id = nid;
        d.channel = channel;
        d.recipient = recipient;
        d.user_id = user_id;
        d.created_at = at;
        return d;
    }
    std::string check(const Delivery& d, Millis now) { return gate.check(d, now).value_or(""); }

    TempStore s;
    Config config;
    store::FanoutStore fanouts;
    store::DirectoryStore directory;
    router::NotificationFactsCache facts;
    router::Gate gate;
    int notifications = 0, deliveries = 0;
};

}  // namespace

TEST_CASE("the gate honours unsubscribes and the most specific preference") {
    GateFixture f;
    const Millis now = util::now_ms();
    f.s.user("ann", "ann@example.com", "+8613800138000");
    f.s.user("bob", "bob@example.com");
    const std::string news = f.notification("marketing");
    const std::string code = f.notification("security");
    const std::string plain = f.notification("");

    SECTION("a user unsubscribed from everything gets only mandatory categories") {
        f.s.exec("UPDATE users SET unsubscribed_at = 5 WHERE id = 'ann'");
        CHECK(f.check(f.delivery(news, "email", "ann@example.com", "ann", now), now) ==
              "unsubscribed");
        CHECK(f.check(f.delivery(code, "email", "ann@example.com", "ann", now), now).empty());
        CHECK(f.check(f.delivery(news, "email", "bob@example.com", "bob", now), now).empty());
    }
    SECTION("the most specific preference decides") {
        f.s.exec("INSERT INTO preferences VALUES ('ann', '', '', 1, 1)");
        f.s.exec("INSERT INTO preferences VALUES ('ann', 'marketing', 'sms', 0, 1)");
        f.s.exec("INSERT INTO preferences VALUES ('bob', 'marketing', '', 1, 1)");
        f.s.exec("INSERT INTO preferences VALUES ('bob', '', 'hook', 1, 1)");
        CHECK(f.check(f.delivery(news, "sms", "+8613800138000", "ann", now), now).empty());
        CHECK(f.check(f.delivery(news, "email", "ann@example.com", "ann", now), now) ==
              "opted out of every category on every channel");
        CHECK(f.check(f.delivery(news, "email", "bob@example.com", "bob", now), now) ==
              "opted out of category 'marketing' on every channel");
        CHECK(f.check(f.delivery(plain, "hook", "https://h.example.com", "bob", now), now) ==
              "opted out of every category on channel 'hook'");
        CHECK(f.check(f.delivery(plain, "email", "bob@example.com", "bob", now), now).empty());
        CHECK(f.check(f.delivery(code, "email", "ann@example.com", "ann", now), now).empty());
        f.s.exec("INSERT INTO preferences VALUES ('bob', 'marketing', 'email', 1, 1)");
        CHECK(f.check(f.delivery(news, "email", "bob@example.com", "bob", now), now) ==
              "opted out of category 'marketing' on channel 'email'");
    }
    SECTION("raw addresses: unsubscribed, or a user's own address") {
        f.s.exec(
            "INSERT INTO unsubscribed_addresses VALUES ('email', 'x@example.com', "
            "'marketing', 1)");
        f.s.exec("INSERT INTO unsubscribed_addresses VALUES ('email', 'y@example.com', '', 1)");
        CHECK(f.check(f.delivery(news, "email", "x@example.com", "", now), now) == "unsubscribed");
        CHECK(f.check(f.delivery(plain, "email", "x@example.com", "", now), now).empty());
        CHECK(f.check(f.delivery(plain, "email", "y@example.com", "", now), now) == "unsubscribed");
        f.s.exec("INSERT INTO preferences VALUES ('ann', 'marketing', 'email', 1, 1)");
        CHECK(f.check(f.delivery(news, "email", "ann@example.com", "", now), now) ==
              "opted out of category 'marketing' on channel 'email'");
    }
}

TEST_CASE("opt-outs a fan-out step read are used instead of the store's") {
    GateFixture f;
    const Millis now = util::now_ms();
    f.s.user("ann", "ann@example.com");
    f.s.user("bob", "bob@example.com");
    f.s.exec("INSERT INTO preferences VALUES ('bob', 'marketing', '', 1, 1)");
    const std::string news = f.notification("marketing");
    router::Gate::KnownOptOuts known;
    known["ann"].unsubscribed_at = 5;
    known["ann"].preferences.push_back({"ann", "", "email", false, 2});
    auto check = [&](const Delivery& d) { return f.gate.check(d, now, &known).value_or(""); };
    CHECK(check(f.delivery(news, "email", "ann@example.com", "ann", now)) == "unsubscribed");
    // Read with the step: bob had none then.
    CHECK(check(f.delivery(news, "email", "bob@example.com", "bob", now)).empty());
    // A raw address is still looked up in the store.
    f.s.exec("INSERT INTO unsubscribed_addresses VALUES ('email', 'x@example.com', '', 1)");
    CHECK(check(f.delivery(news, "email", "x@example.com", "", now)) == "unsubscribed");
    CHECK(check(f.delivery(news, "email", "bob@example.com", "", now)) ==
          "opted out of category 'marketing' on every channel");
    known["ann"].unsubscribed_at = 0;
    CHECK(check(f.delivery(news, "email", "ann@example.com", "ann", now)).empty());
}

TEST_CASE("the gate drops duplicates within preferences.dedup_window") {
    GateFixture f("[preferences]\ndedup_window = \"10m\"\n");
    const Millis now = util::now_ms();
    const std::string first = f.notification("", "your code is 1");
    const std::string same = f.notification("", "your code is 1");
    const std::string other = f.notification("", "your code is 2");
    const std::string by_template = f.notification("", "", "welcome");
    const std::string same_template = f.notification("", "", "welcome");

    auto d1 = f.delivery(first, "email", "a@example.com", "", now - kMinute);
    CHECK(f.check(d1, now).empty());
    CHECK(f.check(f.delivery(same, "email", "a@example.com", "", now), now) ==
          "duplicate of " + d1.id + " within 10m");
    CHECK(f.check(f.delivery(same, "email", "b@example.com", "", now), now).empty());
    CHECK(f.check(f.delivery(same, "sms", "a@example.com", "", now), now).empty());
    CHECK(f.check(f.delivery(other, "email", "a@example.com", "", now), now).empty());
    CHECK(f.check(f.delivery(same, "email", "a@example.com", "", now + 10 * kMinute),
                  now + 10 * kMinute)
              .empty());
    CHECK(f.check(f.delivery(by_template, "email", "c@example.com", "", now), now).empty());
    CHECK(f.check(f.delivery(same_template, "email", "c@example.com", "", now), now)
              .rfind("duplicate of ", 0) == 0);
}

TEST_CASE("the gate applies frequency caps per user and channel") {
    GateFixture f(
        "[preferences]\nfrequency_cap = \"2/1h\"\n[channels.texts]\nproviders = "
        "[\"text\"]\nfrequency_cap = \"1/10m\"\n");
    const Millis now = util::now_ms();
    const std::string n = f.notification("marketing");
    const std::string code = f.notification("security");
    f.s.user("ann", "ann@example.com");
    CHECK(f.check(f.delivery(n, "email", "ann@example.com", "ann", now), now).empty());
    CHECK(f.check(f.delivery(code, "email", "ann@example.com", "ann", now), now).empty());
    CHECK(f.check(f.delivery(n, "email", "ann@example.com", "ann", now), now) ==
          "frequency cap 2/1h reached on channel 'email'");
    CHECK(f.check(f.delivery(code, "email", "ann@example.com", "ann", now), now).empty());
    CHECK(f.check(f.delivery(n, "email", "x@example.com", "", now), now).empty());
    const std::string n2 = f.notification("marketing", "again");
    CHECK(f.check(f.delivery(n, "texts", "+8613800138000", "ann", now), now).empty());
    CHECK(f.check(f.delivery(n2, "texts", "+8613800138000", "ann", now), now) ==
          "frequency cap 1/10m reached on channel 'texts'");
    const Millis later = now + 61 * kMinute;
    CHECK(f.check(f.delivery(n, "email", "ann@example.com", "ann", later), later).empty());
    f.gate.purge(later);
    CHECK(f.check(f.delivery(n, "texts", "+8613800138000", "ann", later), later).empty());
}

TEST_CASE("recipient limits count a category's deliveries to one recipient on every channel") {
    GateFixture f(
        "[recipient_limits]\none-time-code = [\"3/1h\", \"4/1d\"]\n"
        "[channels.texts]\nproviders = [\"text\"]\n");
    const Millis now = util::now_ms();
    // one-time-code is mandatory by default: preferences and caps pass it, not this.
    const std::string code = f.notification("one-time-code");
    const std::string news = f.notification("marketing");
    const std::string phone = "+8613800138000";
    const std::string limited = "recipient limit 3/1h reached for category 'one-time-code'";
    CHECK(f.check(f.delivery(code, "texts", phone, "", now - 50 * kMinute), now).empty());
    CHECK(f.check(f.delivery(code, "texts", phone, "", now - kMinute), now).empty());
    CHECK(f.check(f.delivery(code, "email", phone, "", now), now).empty());
    CHECK(f.check(f.delivery(code, "texts", phone, "", now), now) == limited);
    // Another recipient, another category: counted apart.
    CHECK(f.check(f.delivery(code, "texts", "+8613800138001", "", now), now).empty());
    CHECK(f.check(f.delivery(news, "texts", phone, "", now), now).empty());
    // Once they have left the hour, the day's limit of 4 is what stops it.
    const Millis later = now + 61 * kMinute;
    f.gate.purge(later);
    CHECK(f.check(f.delivery(code, "texts", phone, "", later), later).empty());
    CHECK(f.check(f.delivery(code, "texts", phone, "", later), later) ==
          "recipient limit 4/1d reached for category 'one-time-code'");
    CHECK(store::suppression_reason(limited) == "recipient_limit");
}

TEST_CASE("the gate's counters are rebuilt from what it had admitted") {
    TempStore s;
    Config config = testing::router_config("[preferences]\nfrequency_cap = \"2/1h\"\n");
    store::FanoutStore fanouts(*s);
    store::DirectoryStore directory(*s);
    s.user("ann", "ann@example.com");
    const std::string nid = s.fanout({"user:ann"}, "email");
    const Millis now = util::now_ms();
    // Each of its own notification (one notification counts once per user).
    auto insert = [&](int n, const std::string& state, Millis at) {
        const std::string of = s.fanout({"user:ann"}, "email");
        s.exec(
            "INSERT INTO deliveries (id, notification_id, channel, recipient, user_id, "
            "priority, state, created_at, updated_at) VALUES ('" +
            of + "." + std::to_string(n) + "', '" + of + "', 'email', 'ann@example.com', " +
            "'ann', 1, '" + state + "', " + std::to_string(at) + ", 0)");
    };
    insert(1, "sent", now - 2 * 3'600'000);  // out of the window
    insert(2, "sent", now - kMinute);
    insert(3, "suppressed", now - kMinute);  // never admitted
    insert(4, "queued", now - kMinute);
    const std::int64_t mark = std::stoll(s.scalar("SELECT MAX(seq) FROM deliveries"));
    insert(5, "queued", now);  // stored after the mark: not checked yet

    Delivery next;
    next.id = nid + ".9";
    next.notification_id = nid;
    next.channel = "email";
    next.recipient = "ann@example.com";
    next.user_id = "ann";
    next.created_at = now;
    SECTION("everything up to the mark counts") {
        router::NotificationFactsCache facts(fanouts);
        router::Gate gate(config, fanouts, directory, facts);
        gate.rebuild(mark, now, PartitionSet::all(1));
        CHECK(gate.check(next, now) == "frequency cap 2/1h reached on channel 'email'");
    }
    SECTION("of the partitions the router serves: ann's, or not") {
        const int ann = partition_of_key("ann", 4);
        router::NotificationFactsCache facts(fanouts);
        router::Gate others(config, fanouts, directory, facts);
        others.rebuild(mark, now, PartitionSet(4, {(ann + 1) % 4, (ann + 2) % 4, (ann + 3) % 4}));
        CHECK_FALSE(others.check(next, now));
        router::Gate hers(config, fanouts, directory, facts);
        hers.rebuild(mark, now, PartitionSet(4, {ann}));
        CHECK(hers.check(next, now) == "frequency cap 2/1h reached on channel 'email'");
    }
    SECTION("nothing after it does") {
        router::NotificationFactsCache facts(fanouts);
        router::Gate gate(config, fanouts, directory, facts);
        gate.rebuild(mark - 1, now, PartitionSet::all(1));
        CHECK_FALSE(gate.check(next, now));
    }
    SECTION("except what was attempted: it was checked ahead of the mark") {
        s.exec("UPDATE deliveries SET attempts = 1, state = 'in-flight' WHERE seq = " +
               std::to_string(mark));
        router::NotificationFactsCache facts(fanouts);
        router::Gate gate(config, fanouts, directory, facts);
        gate.rebuild(mark - 1, now, PartitionSet::all(1));
        CHECK(gate.check(next, now) == "frequency cap 2/1h reached on channel 'email'");
    }
}

TEST_CASE("the gate's mark is committed with the suppressions it decided") {
    TempStore s;
    store::FanoutStore fanouts(*s);
    const std::string nid = s.fanout({"x@example.com"}, "email");
    s.exec(
        "INSERT INTO deliveries (id, notification_id, channel, recipient, priority, state, "
        "created_at, updated_at) VALUES ('" +
        nid + ".1', '" + nid + "', 'email', 'x@example.com', 1, 'queued', 1, 1)");
    CHECK(fanouts.gated_seq() == 0);
    store::InboxStore inbox(s->handle());
    router::TransitionLog log(fanouts, inbox);
    store::Transition t;
    t.delivery_id = nid + ".1";
    t.state = DeliveryState::suppressed;
    t.last_error = "unsubscribed";
    t.at = 7;
    t.event_type = "suppressed";
    t.event_detail = "unsubscribed";
    log.add(t);
    log.set_gated_seq(41);
    CHECK(log.pending() == 2);
    REQUIRE(log.flush());
    CHECK(log.pending() == 0);
    CHECK(fanouts.gated_seq() == 41);
    CHECK(s.scalar("SELECT state || ' ' || last_error FROM deliveries") ==
          "suppressed unsubscribed");
    CHECK(s.scalar("SELECT detail FROM events WHERE type = 'suppressed'") == "unsubscribed");

    SECTION("a mark alone is written too") {
        log.set_gated_seq(42);
        REQUIRE(log.flush());
        CHECK(fanouts.gated_seq() == 42);
    }
}

TEST_CASE("a user's devices count a notification once against caps and limits") {
    GateFixture f(
        "[preferences]\nfrequency_cap = \"1/1h\"\n[recipient_limits]\nbuilds = "
        "[\"2/1h\"]\n");
    const Millis now = util::now_ms();
    f.s.user("ann", "ann@example.com");
    const std::string first = f.notification("builds", "one");
    const std::string second = f.notification("builds", "two");
    // Three devices of one notification: all pass, counted once.
    for (const char* token : {"tok-1", "tok-2", "tok-3"})
        CHECK(f.check(f.delivery(first, "email", token, "ann", now), now).empty());
    // The next notification meets the cap of one, on every device alike.
    for (const char* token : {"tok-1", "tok-2"})
        CHECK(f.check(f.delivery(second, "email", token, "ann", now), now) ==
              "frequency cap 1/1h reached on channel 'email'");
    // The recipient limit of two counted one notification, not three devices.
    const std::string third = f.notification("builds", "three");
    f.config.preferences.mandatory_categories.push_back("builds");  // past the cap
    CHECK(f.check(f.delivery(third, "email", "tok-1", "ann", now), now).empty());
    const std::string fourth = f.notification("builds", "four");
    CHECK(f.check(f.delivery(fourth, "email", "tok-1", "ann", now), now) ==
          "recipient limit 2/1h reached for category 'builds'");
}
