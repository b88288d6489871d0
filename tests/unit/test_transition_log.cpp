#include <poll.h>
#include <algorithm>
#include <catch2/catch.hpp>

#include "commit_thread.hpp"
#include "store/dialect.hpp"
#include "store/fanout_store.hpp"
#include "store/inbox_store.hpp"
#include "test_router_fixture.hpp"
#include "transition_log.hpp"

using namespace notify;
using notify::testing::TempStore;

namespace {

store::Transition change(const std::string& id, DeliveryState state, const char* event, Millis at) {
    store::Transition t;
    t.delivery_id = id;
    t.state = state;
    t.attempts = 1;
    t.at = at;
    t.event_type = event;
    t.event_detail = event;
    return t;
}

// Waits, as the router's loop does, for the thread's eventfd, then takes the outcome.
std::optional<router::CommitThread::Outcome> when_ended(router::TransitionLog& log,
                                                        router::CommitThread& thread) {
    pollfd p{thread.fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10'000) == 1);
    return log.finish_commit(false);
}

}  // namespace

// A delivery in a store, and a transition log that commits on a thread whose
// connection waits 50 ms for the write lock.
struct Committing {
    TempStore s;
    store::FanoutStore fanouts{*s};
    store::InboxStore inbox{s->handle()};
    std::string id;
    router::CommitThread thread{s.open(50)};
    router::TransitionLog log{fanouts, inbox};
    Committing() {
        const std::string nid = s.fanout({"x@example.com"}, "email");
        id = nid + ".1";
        s.exec(
            "INSERT INTO deliveries (id, notification_id, channel, recipient, priority, state, "
            "created_at, updated_at) VALUES ('" +
            id + "', '" + nid + "', 'email', 'x@example.com', 1, 'queued', 1, 1)");
        log.commit_on(thread);
    }
    // A batch under way ("dispatched" and the gate's mark), and "sent" after it.
    void start_two() {
        log.add(change(id, DeliveryState::in_flight, "dispatched", 10));
        log.set_gated_seq(7);
        REQUIRE(log.start_commit());
        CHECK(log.committing());
        CHECK_FALSE(log.start_commit());  // one at a time
        log.add(change(id, DeliveryState::sent, "sent", 20));
        CHECK(log.pending() == 3);  // the batch under way counts until it is committed
    }
    std::string events() {
        std::string types = s.scalar(
            "SELECT " + store::lines_of(s.db().dialect(), "type",
                                        "FROM events WHERE delivery_id = '" + id + "'", "seq"));
        std::replace(types.begin(), types.end(), '\n', ' ');
        return types;
    }
};

TEST_CASE("the commit thread commits a batch while changes go on") {
    Committing c;
    CHECK_FALSE(c.log.start_commit());  // nothing to commit
    c.start_two();
    auto out = when_ended(c.log, c.thread);
    REQUIRE(out);
    CHECK(out->status);
    CHECK_FALSE(c.log.committing());
    CHECK(c.log.pending() == 1);
    CHECK(c.s.scalar("SELECT state FROM deliveries") == "in-flight");
    CHECK(c.fanouts.gated_seq() == 7);
    REQUIRE(c.log.start_commit());
    REQUIRE(when_ended(c.log, c.thread)->status);
    CHECK(c.log.pending() == 0);
    CHECK(c.s.scalar("SELECT state FROM deliveries") == "sent");
    CHECK(c.events() == "dispatched sent");
}

TEST_CASE("a batch the store refused is pending again, ahead of the changes made since") {
    Committing c;
    // Another writer holds the lock for longer than the thread waits.
    auto blocker = c.s.open();
    blocker->handle().begin_write();
    c.start_two();
    auto refused = when_ended(c.log, c.thread);
    REQUIRE(refused);
    CHECK_FALSE(refused->status);
    blocker->handle().rollback();
    CHECK(c.s.scalar("SELECT state FROM deliveries") == "queued");
    CHECK(c.events().empty());
    CHECK(c.log.pending() == 3);

    SECTION("on the thread") {
        REQUIRE(c.log.start_commit());
        REQUIRE(when_ended(c.log, c.thread)->status);
    }
    SECTION("here") {
        REQUIRE(c.log.flush());
    }
    CHECK(c.log.pending() == 0);
    CHECK(c.s.scalar("SELECT state FROM deliveries") == "sent");
    CHECK(c.events() == "dispatched sent");
    CHECK(c.fanouts.gated_seq() == 7);
}

TEST_CASE("a commit job that throws ends with an error, and the thread takes the next") {
    TempStore s;
    router::CommitThread thread(s.open());
    thread.start([]() -> Status { throw std::runtime_error("out of memory"); });
    auto failed = thread.wait();
    REQUIRE(failed);
    REQUIRE_FALSE(failed->status);
    CHECK(failed->status.error().message == "the commit failed: out of memory");
    CHECK_FALSE(thread.busy());
    thread.start([] { return ok(); });
    auto next = thread.wait();
    REQUIRE(next);
    CHECK(next->status);
}
