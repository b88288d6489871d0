// test_router_metrics.cpp - the router's figures: counters by channel and
// state, outcomes and times per provider, names beyond the configuration, and
// the gauges read from the router's state.
#include <catch2/catch.hpp>

#include <string>

#include "router_metrics.hpp"
#include "test_router_fixture.hpp"

using namespace notify;
using namespace notify::router;

namespace {

bool has(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("router metrics: deliveries by channel and state, since the start") {
    Config config = testing::router_config();
    RouterMetrics m(config);
    const std::size_t email = m.channel_index("email");
    m.accepted(email);
    m.accepted(email);
    m.entered(email, DeliveryState::in_flight, 5);
    m.entered(email, DeliveryState::sent, 1500);  // 1.5 s after acceptance
    m.entered(email, DeliveryState::failed, 9000);
    const std::string text = m.render(m.empty_gauges());

    CHECK(has(text, "# TYPE notify_deliveries_total counter"));
    CHECK(has(text, R"(notify_deliveries_total{channel="email",state="accepted"} 2)"));
    CHECK(has(text, R"(notify_deliveries_total{channel="email",state="in-flight"} 1)"));
    CHECK(has(text, R"(notify_deliveries_total{channel="email",state="sent"} 1)"));
    CHECK(has(text, R"(notify_deliveries_total{channel="email",state="failed"} 1)"));
    // Configured channels are there from the start, at 0.
    CHECK(has(text, R"(notify_deliveries_total{channel="sms",state="sent"} 0)"));
    // Only a sent delivery is timed from its acceptance.
    CHECK(has(text, R"(notify_accept_to_sent_seconds_bucket{channel="email",le="1"} 0)"));
    CHECK(has(text, R"(notify_accept_to_sent_seconds_bucket{channel="email",le="2.5"} 1)"));
    CHECK(has(text, R"(notify_accept_to_sent_seconds_count{channel="email"} 1)"));
    CHECK(has(text, R"(notify_accept_to_sent_seconds_sum{channel="email"} 1.5)"));
    CHECK(has(text, R"(notify_accept_to_sent_seconds_count{channel="hook"} 0)"));
}

TEST_CASE("router metrics: attempts and their outcomes per provider") {
    Config config = testing::router_config();
    RouterMetrics m(config);
    m.dispatched("hook");
    m.dispatched("hook");
    m.dispatched("hook");
    m.answered("hook", wire::Outcome::sent, 40);
    m.answered("hook", wire::Outcome::permanent, 300);
    m.answered("hook", wire::Outcome::retryable, -1);  // the worker's own refusal: not timed
    const std::string text = m.render(m.empty_gauges());
    CHECK(has(text, R"(notify_dispatches_total{provider="hook"} 3)"));
    CHECK(has(text, R"(notify_dispatches_total{provider="mail"} 0)"));
    CHECK(has(text, R"(notify_attempts_total{provider="hook",outcome="sent"} 1)"));
    CHECK(has(text, R"(notify_attempts_total{provider="hook",outcome="retryable"} 1)"));
    CHECK(has(text, R"(notify_attempts_total{provider="hook",outcome="permanent"} 1)"));
    CHECK(has(text, R"(notify_provider_request_seconds_count{provider="hook"} 2)"));
    CHECK(has(text, R"(notify_provider_request_seconds_bucket{provider="hook",le="0.05"} 1)"));
    CHECK(has(text, R"(notify_provider_request_seconds_bucket{provider="hook",le="0.5"} 2)"));
}

TEST_CASE("router metrics: names outside the configuration are bounded") {
    Config config = testing::router_config();
    RouterMetrics m(config);
    // A channel removed from the configuration while deliveries of it wait.
    const std::size_t gone = m.channel_index("gone");
    CHECK(m.channel_index("gone") == gone);
    m.entered(gone, DeliveryState::failed, 0);
    CHECK(has(m.render(m.empty_gauges()),
              R"(notify_deliveries_total{channel="gone",state="failed"} 1)"));

    std::size_t other = 0;
    for (std::size_t i = 0; i < 2 * NameIndex::kMaxNames; ++i)
        other = m.channel_index("made-up-" + std::to_string(i));
    CHECK(m.channel_index("one-more") == other);
    m.accepted(other);
    m.accepted(m.channel_index("and-another"));
    const std::string text = m.render(m.empty_gauges());
    CHECK(has(text, R"(notify_deliveries_total{channel="_other",state="accepted"} 2)"));
    CHECK(text.find("made-up-" + std::to_string(NameIndex::kMaxNames)) == std::string::npos);
}

TEST_CASE("router metrics: the gauges as the router reads them") {
    Config config = testing::router_config();
    RouterMetrics m(config);
    RouterGauges g = m.empty_gauges();
    const std::size_t sms = m.channel_index("sms");
    g.active[sms][static_cast<std::size_t>(DeliveryState::queued)] = 4;
    g.active[sms][static_cast<std::size_t>(DeliveryState::deferred)] = 1;
    g.queued[static_cast<std::size_t>(Priority::high)] = 4;
    g.in_flight = 2;
    g.workers_connected = 2;
    g.workers.push_back({"w \"1\"", 2, 14});
    g.breakers = {{"hook", BreakerState::closed}, {"text", BreakerState::half_open}};
    m.breaker_changed("text", BreakerState::open);
    m.breaker_changed("text", BreakerState::half_open);
    g.fanouts_expanding = 1;
    m.expanded(500, false);
    m.expanded(20, true);
    m.committed(0.003, true);
    m.committed(0.5, false);
    const std::string text = m.render(g);

    CHECK(has(text, R"(notify_deliveries_active{channel="sms",state="queued"} 4)"));
    CHECK(has(text, R"(notify_deliveries_active{channel="sms",state="deferred"} 1)"));
    CHECK(has(text, R"(notify_deliveries_active{channel="email",state="in-flight"} 0)"));
    CHECK(text.find(R"(notify_deliveries_active{channel="sms",state="sent"})") ==
          std::string::npos);  // final states are counted, not held
    CHECK(has(text, R"(notify_queue_depth{priority="high"} 4)"));
    CHECK(has(text, R"(notify_queue_depth{priority="low"} 0)"));
    CHECK(has(text, "notify_in_flight 2"));
    CHECK(has(text, "notify_workers 2"));
    CHECK(has(text, R"(notify_worker_in_flight{worker="w \"1\""} 2)"));
    CHECK(has(text, R"(notify_worker_credit{worker="w \"1\""} 14)"));
    CHECK(has(text, R"(notify_provider_healthy{provider="hook"} 1)"));
    CHECK(has(text, R"(notify_provider_healthy{provider="text"} 0)"));
    CHECK(has(text, R"(notify_provider_breaker{provider="text",state="half-open"} 1)"));
    CHECK(has(text, R"(notify_provider_breaker{provider="text",state="open"} 0)"));
    CHECK(has(text, R"(notify_provider_breaker{provider="hook",state="closed"} 1)"));
    CHECK(has(text, R"(notify_provider_breaker_changes_total{provider="text",state="open"} 1)"));
    CHECK(has(text, R"(notify_provider_breaker_changes_total{provider="hook",state="open"} 0)"));
    CHECK(has(text, "notify_fanout_recipients_total 520"));
    CHECK(has(text, "notify_fanouts_done_total 1"));
    CHECK(has(text, "notify_fanouts_expanding 1"));
    CHECK(has(text, "notify_router_store_commit_seconds_count 1"));
    CHECK(has(text, "notify_router_store_commit_failures_total 1"));
}

TEST_CASE("router metrics: a worker's time of an attempt travels with its result") {
    wire::Result r;
    r.delivery_id = "d1";
    r.provider = "hook";
    CHECK(wire::decode(wire::encode(r)).result->took == -1);  // not timed: not sent
    r.took = 0;
    CHECK(wire::decode(wire::encode(r)).result->took == 0);
    r.took = 1234;
    CHECK(wire::decode(wire::encode(r)).result->took == 1234);
    CHECK(wire::decode(R"({"type":"result","delivery_id":"d","outcome":"sent","took":-50})")
              .result->took == -1);
}
