// Tests for users' inboxes in the store: items in, pages newest first with a
// cursor and an unread count, marks and their events, read all, pruning.
#include <catch2/catch.hpp>

#include "inbox_item.hpp"
#include "store/inbox_store.hpp"
#include "test_router_fixture.hpp"

using namespace notify;
using notify::testing::TempStore;

namespace {

store::InboxItem item(const std::string& id, const std::string& user, const std::string& category,
                      Millis at) {
    return testing::inbox_item(id, user, category, at);
}

}  // namespace

TEST_CASE("an inbox pages newest first and counts what is unread", "[inbox]") {
    TempStore s;
    store::InboxStore inbox(s->handle());
    for (int i = 1; i <= 5; ++i)
        CHECK(inbox.add(item("d" + std::to_string(i), "ana", i % 2 ? "builds" : "billing", i)));
    CHECK(inbox.add(item("x1", "ben", "builds", 9)));
    CHECK_FALSE(inbox.add(item("d1", "ana", "builds", 10)));  // a delivery is one item

    store::InboxQuery q;
    q.user_id = "ana";
    q.limit = 2;
    auto page = inbox.page(q);
    REQUIRE(page.items.size() == 2);
    CHECK(page.items[0].id == "d5");
    CHECK(page.items[1].id == "d4");
    CHECK(page.unread == 5);
    REQUIRE(page.next_cursor == page.items[1].seq);
    q.before = page.next_cursor;
    q.limit = 10;
    page = inbox.page(q);
    REQUIRE(page.items.size() == 3);
    CHECK(page.items[2].id == "d1");
    CHECK(page.next_cursor == 0);

    q = {};
    q.user_id = "ana";
    q.category = "billing";
    page = inbox.page(q);
    REQUIRE(page.items.size() == 2);
    CHECK(page.unread == 2);

    // Events: one "new" per item, in order.
    auto events = inbox.events_after(0, 100);
    REQUIRE(events.size() == 6);
    CHECK(events[0].kind == "new");
    CHECK(events[5].user_id == "ben");
    CHECK(inbox.last_event_seq() == events.back().seq);
}

TEST_CASE("marks change an item once, with an event each", "[inbox]") {
    TempStore s;
    store::InboxStore inbox(s->handle());
    inbox.add(item("d1", "ana", "", 1));
    inbox.add(item("d2", "ana", "", 2));
    const auto before = inbox.last_event_seq();

    auto read = inbox.mark("ana", "d1", store::InboxMark::read, 100);
    REQUIRE(read);
    CHECK(read->read_at == 100);
    CHECK(read->seen_at == 100);  // reading is seeing
    CHECK(inbox.unread("ana") == 1);
    // Again: no change, no event; the first time stays.
    read = inbox.mark("ana", "d1", store::InboxMark::read, 200);
    CHECK(read->read_at == 100);
    auto events = inbox.events_after(before, 100);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == "read");
    CHECK(events[0].item_seq == read->seq);

    auto unread = inbox.mark("ana", "d1", store::InboxMark::unread, 300);
    CHECK(unread->read_at == 0);
    CHECK(unread->seen_at == 100);
    CHECK(inbox.unread("ana") == 2);

    auto archived = inbox.mark("ana", "d2", store::InboxMark::archived, 400);
    CHECK(archived->archived_at == 400);
    // What a mark answers is the row as stored.
    for (const auto* id : {"d1", "d2"}) {
        auto again = inbox.mark("ana", id, store::InboxMark::seen, 450);
        auto stored = inbox.item("ana", id);
        CHECK(stored->seen_at != 0);
        CHECK(again->seen_at == stored->seen_at);
        CHECK(again->read_at == stored->read_at);
        CHECK(again->archived_at == stored->archived_at);
    }
    CHECK(inbox.unread("ana") == 1);  // archived items are not counted
    store::InboxQuery q;
    q.user_id = "ana";
    CHECK(inbox.page(q).items.size() == 1);
    q.archived = true;
    CHECK(inbox.page(q).items.size() == 1);

    // Another user's item, or none: nothing.
    CHECK_FALSE(inbox.mark("ben", "d1", store::InboxMark::read, 500));
    CHECK_FALSE(inbox.mark("ana", "nope", store::InboxMark::read, 500));

    inbox.add(item("d3", "ana", "billing", 550));
    CHECK(inbox.mark_all_read("ana", "billing", 560) == std::vector<std::string>{"d3"});
    CHECK(inbox.events_after(0, 100).back().category == "billing");
    CHECK(inbox.mark_all_read("ana", "", 600).size() == 1);
    CHECK(inbox.unread("ana") == 0);
    CHECK(inbox.mark_all_read("ana", "", 700).empty());
    events = inbox.events_after(before, 100);
    CHECK(events.back().kind == "read_all");

    const auto last = inbox.last_event_seq();
    const auto kept = static_cast<std::int64_t>(inbox.events_after(0, 1000).size());
    CHECK(kept == 9);
    CHECK(inbox.prune_events(10'000) == kept);
    CHECK(inbox.events_after(0, 100).empty());
    // Numbers are never reused, so a stream that resumes misses nothing.
    inbox.add(item("d4", "ana", "", 10'001));
    CHECK(inbox.events_after(0, 100).front().seq == last + 1);
}

TEST_CASE("a user's events since a point are read by user", "[inbox]") {
    TempStore s;
    store::InboxStore inbox(s->handle());
    for (int i = 0; i < 20; ++i)
        inbox.add(item("d" + std::to_string(i), i % 2 ? "ana" : "ben", "", i));
    auto ana = inbox.user_events("ana", 0, inbox.last_event_seq(), 100);
    REQUIRE(ana.size() == 10);
    for (const auto& e : ana) CHECK(e.user_id == "ana");
    CHECK(inbox.user_events("ana", ana[4].seq, ana[7].seq, 100).size() == 3);
    CHECK(inbox.user_events("ana", 0, inbox.last_event_seq(), 2).size() == 2);

    // By the index on (user_id, seq), not a walk over every user's events (on
    // MariaDB, whose plan for 20 rows may be any: an index it can use).
    const bool mariadb = s->handle().dialect() == store::Dialect::mariadb;
    store::Stmt plan(s->handle(), std::string(mariadb ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") +
                                      "SELECT seq FROM inbox_events WHERE seq > 1 AND seq <= 9 "
                                      "AND user_id = 'ana' ORDER BY seq LIMIT 5");
    std::string how;
    while (plan.step()) how += plan.text(mariadb ? 4 : 3) + "\n";
    CHECK(how.find("inbox_events_by_user") != std::string::npos);
}
