// test_router_providers.cpp - the router with a fake worker on its socket: a
// channel at its rate limit does not hold back another channel, and a retryable
// failure fails over at once to the channel's other provider, then backs off.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "ready_queues.hpp"
#include "router.hpp"
#include "test_router_fixture.hpp"
#include "test_router_worker.hpp"
#include "util/id.hpp"
#include "wire.hpp"

using namespace notify;
using notify::testing::eventually;
using notify::testing::FakeWorker;
using notify::testing::RunningRouter;
using notify::testing::send;
using notify::testing::TempStore;

namespace {

Config providers_config(const std::string& tag) {
    Config c = testing::router_config(R"(
[router]
retry_min = "1m"
retry_max = "2m"
[providers.robot]
type = "dingtalk-robot"
rate_limit = "2/1m"
[providers.alt]
type = "webhook"
url = "http://127.0.0.1:9/alt"
[channels.robot]
providers = ["robot"]
[channels.pair]
providers = ["alt", "hook"]
)");
    testing::own_sockets(c, tag);
    return c;
}

}  // namespace

TEST_CASE("ready queues leave a blocked channel's deliveries in place, in order") {
    router::ReadyQueues q(10, 5);
    q.push(Priority::medium, "robot", router::ReadyItem{1, "r1"});
    q.push(Priority::medium, "robot", router::ReadyItem{2, "r2"});
    q.push(Priority::medium, "email", router::ReadyItem{3, "e1"});
    const std::set<std::string> blocked{"robot"};
    CHECK(q.pop({}, false, blocked)->delivery_id == "e1");
    CHECK_FALSE(q.pop({}, false, blocked));
    CHECK_FALSE(q.pop({}, true, blocked));
    CHECK(q.waiting("robot"));
    CHECK_FALSE(q.waiting("email"));
    auto r = q.pop({});
    REQUIRE(r);
    CHECK(r->delivery_id == "r1");
    q.push_front(Priority::medium, "robot", *r);  // could not go: back at the head
    CHECK(q.pop({})->delivery_id == "r1");
    CHECK(q.pop({})->delivery_id == "r2");
    CHECK(q.empty());
}

TEST_CASE("a channel at its rate limit does not hold back another channel") {
    TempStore s;
    Config config = providers_config("limit");
    // The robot's deliveries are older: without the limit they would go first.
    const std::string robot = send(*s, "robot", {"", "", "", "", ""});
    const std::string email =
        send(*s, "email", {"a@example.com", "b@example.com", "c@example.com"});
    auto reader = s.open();
    std::map<std::string, int> jobs;
    {
        RunningRouter r(config, s);
        zmq::context_t ctx;
        FakeWorker w(ctx, config.router.listen, 20);
        while (auto j = w.job(1500)) {
            ++jobs[j->channel];
            CHECK(j->provider == (j->channel == "robot" ? "robot" : "mail"));
            w.answer(*j, wire::Outcome::sent, "200");
        }
        CHECK(eventually([&] {
            int sent = 0;
            for (const auto& d : reader->deliveries_of(email))
                if (d.state == DeliveryState::sent) ++sent;
            return sent == 3;
        }));
    }
    CHECK(jobs["robot"] == 2);
    CHECK(jobs["email"] == 3);
    int queued = 0, sent = 0;
    for (const auto& d : reader->deliveries_of(robot)) {
        if (d.state == DeliveryState::queued) ++queued;
        if (d.state == DeliveryState::sent) ++sent;
    }
    CHECK(sent == 2);
    CHECK(queued == 3);
    // The two that went are the oldest two: the queue kept its order.
    CHECK(reader->deliveries_of(robot)[0].state == DeliveryState::sent);
    CHECK(reader->deliveries_of(robot)[1].state == DeliveryState::sent);
}

TEST_CASE("jobs read ahead of their hand-out each carry their own delivery's content") {
    TempStore s;
    Config config = providers_config("ahead");
    // Read many at a time (the worker's credit allows it), across three
    // channels' queues, one of them at its rate limit: its jobs read ahead wait.
    std::map<std::string, std::string> body_of;       // notification id -> body
    std::map<std::string, std::string> recipient_of;  // delivery id -> recipient
    for (int i = 0; i < 40; ++i) {
        const std::string channel = i % 4 == 3 ? "email" : i % 4 == 2 ? "robot" : "hook";
        const std::string n = std::to_string(i);
        const std::vector<std::string> to =
            channel == "email"
                ? std::vector<std::string>{"a" + n + "@example.com", "b" + n + "@example.com"}
            : channel == "hook" ? std::vector<std::string>{"", ""}
                                : std::vector<std::string>{""};
        const std::string id = send(*s, channel, to, "body " + n);
        body_of[id] = "body " + n;
        for (std::size_t k = 0; k < to.size(); ++k) recipient_of[delivery_id_for(id, k)] = to[k];
    }
    std::set<std::string> handed;
    int robot = 0;
    {
        RunningRouter r(config, s);
        zmq::context_t ctx;
        FakeWorker w(ctx, config.router.listen, 64);
        while (auto j = w.job(1500)) {
            CHECK(handed.insert(j->delivery_id).second);
            CHECK(j->body == body_of.at(j->notification_id));
            CHECK(j->to == recipient_of.at(j->delivery_id));
            if (j->channel == "robot") ++robot;
            w.answer(*j, wire::Outcome::sent, "200");
        }
    }
    CHECK(robot == 2);                                // its rate limit: 2 a minute
    CHECK(handed.size() == recipient_of.size() - 8);  // all but the robot's 8 that wait
}

TEST_CASE("a channel at its cap of attempts in flight does not hold back another channel") {
    TempStore s;
    Config config = testing::router_config(R"(
[providers.slow]
type = "webhook"
url = "http://127.0.0.1:9/slow"
max_connections = 2
[channels.slow]
providers = ["slow"]
)");
    testing::own_sockets(config, "cap");
    // The capped channel's deliveries are older: without the cap they would all go first.
    send(*s, "slow", {"", "", "", "", ""});
    const std::string email =
        send(*s, "email", {"a@example.com", "b@example.com", "c@example.com"});
    std::vector<std::string> order;  // the channels of the jobs, as they came
    {
        RunningRouter r(config, s);
        zmq::context_t ctx;
        FakeWorker w(ctx, config.router.listen, 20);
        while (order.size() < 8) {
            auto j = w.job(3000);
            REQUIRE(j);
            order.push_back(j->channel);
            w.answer(*j, wire::Outcome::sent, "200");
        }
    }
    // Two of the capped channel, then the others at once, not after its backlog
    // (each answer frees one place, which must not end the worker's turn).
    REQUIRE(order.size() == 8);
    CHECK(order[0] == "slow");
    CHECK(order[1] == "slow");
    CHECK(order[2] == "email");
    CHECK(order[3] == "email");
    CHECK(order[4] == "email");
    CHECK(std::count(order.begin(), order.end(), "slow") == 5);
}

TEST_CASE("a retryable failure fails over at once, then backs off") {
    TempStore s;
    Config config = providers_config("failover");
    const std::string nid = send(*s, "pair", {""});
    auto reader = s.open();
    {
        RunningRouter r(config, s);
        zmq::context_t ctx;
        FakeWorker w(ctx, config.router.listen, 5);
        auto first = w.job(5000);
        REQUIRE(first);
        CHECK(first->provider == "alt");
        CHECK(first->attempt == 1);
        w.answer(*first, wire::Outcome::retryable);
        // retry_min is a minute: a second job within seconds is the failover.
        auto second = w.job(3000);
        REQUIRE(second);
        CHECK(second->provider == "hook");
        CHECK(second->attempt == 2);
        w.answer(*second, wire::Outcome::retryable);
        // Both providers failed: the backoff applies, nothing is sent meanwhile.
        CHECK_FALSE(w.job(700));
        CHECK(eventually(
            [&] { return reader->deliveries_of(nid)[0].state == DeliveryState::deferred; }));
    }
    auto v = reader->get_notification(nid, true);
    REQUIRE(v);
    std::vector<std::string> retries;
    for (const auto& e : v->events)
        if (e.type == "retry") retries.push_back(e.detail);
    REQUIRE(retries.size() == 2);
    CHECK(retries[0].find("attempt 1 failed: 503 busy; failing over to provider 'hook'") !=
          std::string::npos);
    CHECK(retries[1].find("attempt 2 failed: 503 busy; next at ") != std::string::npos);
    const Delivery d = reader->deliveries_of(nid)[0];
    CHECK(d.attempts == 2);
    CHECK(d.provider == "hook");
    // The backoff before attempt 3 is 1m to 2m (retry_min 1m, doubled once).
    CHECK(d.next_attempt_at >= util::now_ms() + 50'000);
}

TEST_CASE("a failure that is the provider's alone fails over; a plain permanent one does not") {
    TempStore s;
    Config config = providers_config("provider-fault");
    const std::string fails_over = send(*s, "pair", {""});
    auto reader = s.open();
    {
        RunningRouter r(config, s);
        zmq::context_t ctx;
        FakeWorker w(ctx, config.router.listen, 5);
        auto first = w.job(5000);
        REQUIRE(first);
        CHECK(first->provider == "alt");
        // Out of balance at this provider: the next one takes it at once.
        w.answer(*first, wire::Outcome::permanent, "isv.AMOUNT_NOT_ENOUGH", true);
        auto second = w.job(3000);
        REQUIRE(second);
        CHECK(second->provider == "hook");
        // Refused for good there too, with nobody left: failed.
        w.answer(*second, wire::Outcome::permanent, "unsupported_recipient", true);
        CHECK(eventually(
            [&] { return reader->deliveries_of(fails_over)[0].state == DeliveryState::failed; }));
        CHECK(reader->deliveries_of(fails_over)[0].attempts == 2);

        const std::string final_one = send(*s, "pair", {""});
        auto third = w.job(5000);
        REQUIRE(third);
        // A bad number no provider could take: final at once.
        w.answer(*third, wire::Outcome::permanent, "21211");
        CHECK_FALSE(w.job(700));
        CHECK(eventually(
            [&] { return reader->deliveries_of(final_one)[0].state == DeliveryState::failed; }));
        CHECK(reader->deliveries_of(final_one)[0].attempts == 1);
    }
}

TEST_CASE("a malformed worker frame is logged cut on a character boundary") {
    TempStore s;
    Config config = providers_config("malformed");
    // "\xc3\xa9" (e acute) takes bytes 119 and 120 of the frame.
    const std::string head = R"({"type":"nonsense","pad":")";
    const std::string frame =
        head + std::string(119 - head.size(), 'x') + "\xc3\xa9" + std::string(40, 'y') + "\"}";
    std::FILE* log = std::tmpfile();
    REQUIRE(log);
    const int saved = ::dup(2);
    ::dup2(::fileno(log), 2);
    std::string logged;
    {
        RunningRouter r(config, s);
        zmq::context_t ctx;
        FakeWorker w(ctx, config.router.listen, 0);
        w.send(frame);
        eventually([&] {
            // pread leaves the offset the router writes at alone.
            logged.clear();
            char buf[4096];
            for (ssize_t n; (n = ::pread(::fileno(log), buf, sizeof buf, logged.size())) > 0;)
                logged.append(buf, static_cast<size_t>(n));
            return logged.find("bytes more)") != std::string::npos;
        });
    }
    ::dup2(saved, 2);
    ::close(saved);
    std::fclose(log);
    INFO(logged);
    const std::string shown = "malformed frame from a worker: " + frame.substr(0, 119) + "...(" +
                              std::to_string(frame.size() - 119) + " bytes more)";
    CHECK(logged.find(shown) != std::string::npos);
    CHECK(logged.find('\xc3') == std::string::npos);
}

TEST_CASE("a high-priority delivery a nudge names goes ahead of a backlog not read yet") {
    TempStore s;
    Config config = providers_config("urgent");
    config.router.lease = 1000;  // the fake worker keeps a job: the drain ends soon
    // Outcomes stay in memory: the store still says "queued" when the sweep
    // reaches the delivery the worker has sent.
    config.router.flush_interval = 600'000;
    RunningRouter r(config, s);
    auto writer = s.open();  // as ingest: the router's connection is its own

    // A backlog the router reads a round at a time, then one high-priority send.
    constexpr int kBacklog = 30000;
    send(*writer, "hook", std::vector<std::string>(kBacklog, ""));
    store::Accepted a;
    a.notification.created_at = util::now_ms();
    a.notification.id = util::new_ulid(a.notification.created_at);
    a.notification.channel = "hook";
    a.notification.body = "b";
    a.notification.priority = Priority::high;
    Delivery d;
    d.id = delivery_id_for(a.notification.id, 0);
    d.notification_id = a.notification.id;
    d.channel = "hook";
    d.priority = Priority::high;
    d.created_at = d.updated_at = a.notification.created_at;
    a.deliveries.push_back(d);
    std::vector<store::Accepted> batch{a};
    REQUIRE(writer->insert_batch(batch));

    // The nudge ingest sends after that commit, then a ping on the same pipe:
    // its answer means the nudge was taken.
    zmq::context_t ctx;
    zmq::socket_t control(ctx, zmq::socket_type::dealer);
    control.set(zmq::sockopt::linger, 0);
    control.set(zmq::sockopt::rcvtimeo, 10000);
    control.connect(config.router.control);
    auto ping = [&] {
        control.send(zmq::buffer(std::string(R"({"op":"ping"})")), zmq::send_flags::none);
        zmq::message_t pong;
        REQUIRE(control.recv(pong, zmq::recv_flags::none));
        return nlohmann::json::parse(pong.to_string());
    };
    const std::string nudge = wire::encode_nudge({batch[0].deliveries[0].seq});
    CHECK(nudge.find("\"high\":[") != std::string::npos);
    control.send(zmq::buffer(nudge), zmq::send_flags::none);
    ping();

    FakeWorker w(ctx, config.router.listen, 1);
    auto job = w.job(5000);
    REQUIRE(job);
    CHECK(job->delivery_id == d.id);
    CHECK(job->priority == Priority::high);

    // Sent, and so gone from the router's memory before the sweep reaches it:
    // the sweep counts it without taking it in again.
    w.answer(*job, wire::Outcome::sent, "200");
    std::int64_t active = 0;
    CHECK(eventually(
        [&] {
            // The backlog, all read; one of it is with the worker.
            active = ping().value("active", std::int64_t{0});
            return active >= kBacklog;
        },
        20000));
    CHECK(active == kBacklog);
}
