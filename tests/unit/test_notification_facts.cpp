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
