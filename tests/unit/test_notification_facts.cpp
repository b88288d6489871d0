// test_notification_facts.cpp - the router's cache of what it needs of each
// notification: read from the store once, and bounded by forgetting the oldest
// one at a time.
#include <catch2/catch.hpp>

#include "notification_facts.hpp"
#include "store/fanout_store.hpp"
#include "test_router_fixture.hpp"

using namespace notify;
using notify::router::FactsRef;
using notify::router::NotificationFactsCache;
using notify::testing::TempStore;

TEST_CASE("the facts cache forgets its oldest notification, not all of them, when full") {
    TempStore s;
    store::FanoutStore fanouts(*s);
    NotificationFactsCache facts(fanouts);
    s.exec(
        "INSERT INTO notifications (id, created_at, channel, body, category, priority) "
        "VALUES ('n0', 1, 'email', 'hello', 'alerts', 1)");
    const FactsRef first = facts.get("n0");
    CHECK(first->category() == "alerts");
    CHECK_FALSE(first->content_key.empty());
    // Full: n0 and kMaxFacts - 1 others (not in the store: empty facts).
    const FactsRef second = facts.get("x1");
    CHECK(second->category().empty());
    for (std::size_t i = 2; i < NotificationFactsCache::kMaxFacts; ++i)
        facts.get("x" + std::to_string(i));
    CHECK(facts.get("n0") == first);  // read once, kept
    // One more forgets n0 alone: the next oldest is still there.
    facts.get("y");
    CHECK(facts.get("x1") == second);
    const FactsRef again = facts.get("n0");
    CHECK(again != first);  // read from the store again
    CHECK(again->category() == "alerts");
    CHECK(again->content_key == first->content_key);
    // n0 coming back forgot x1, the oldest then.
    CHECK(facts.get("x1") != second);
}

TEST_CASE("the facts of a batch's notifications are read at once, as one by one") {
    TempStore s;
    store::FanoutStore fanouts(*s);
    s.exec(
        "INSERT INTO notifications (id, created_at, channel, body, template, data, category, "
        "module, priority, bulk) VALUES ('n1', 1, 'email', 'hello', '', '{}', 'alerts', 'billing', "
        "1, 0), ('n2', 1, 'sms', '', 'otp', '{\"code\":1}', 'security', '', 0, 1)");
    NotificationFactsCache one_by_one(fanouts);
    NotificationFactsCache batched(fanouts);
    std::vector<Delivery> batch(4);
    batch[0].notification_id = "n1";
    batch[1].notification_id = "n2";
    batch[2].notification_id = "n1";
    batch[3].notification_id = "gone";
    batched.prefetch(batch);
    // Nothing is read again: the store's rows changed now would not be seen.
    s.exec("UPDATE notifications SET category = 'changed'");
    for (const char* id : {"n1", "n2"}) {
        INFO(id);
        const FactsRef b = batched.get(id);
        CHECK(b->category() != "changed");
        s.exec(
            "UPDATE notifications SET category = CASE id WHEN 'n1' THEN 'alerts' ELSE "
            "'security' END");
        const FactsRef o = one_by_one.get(id);
        s.exec("UPDATE notifications SET category = 'changed'");
        CHECK(b->category() == o->category());
        CHECK(b->content_key == o->content_key);
        CHECK(b->dims.template_name == o->dims.template_name);
        CHECK(b->dims.module == o->dims.module);
        CHECK(b->bulk == o->bulk);
    }
    CHECK(batched.get("n2")->bulk);
    CHECK(batched.get("gone")->category().empty());
}
