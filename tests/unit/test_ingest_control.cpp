// test_ingest_control.cpp - calls to the router's control socket: a router that
// does not answer costs each call its timeout, and calls beyond the limit are
// refused at once rather than each holding a thread; of several routers, the
// one that has bound its endpoint answers (the others stand by), and of
// several delivering, each answers for its partitions and the replies merge.
#include <event2/event.h>
#include <unistd.h>
#include <zmq.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control.hpp"
#include "mailbox.hpp"

using namespace notify;
using namespace notify::ingest;

namespace {
// A router's control socket bound at `endpoint`, answering `count`
// requests with `reply`, on a thread of its own.
class AnsweringRouter {
  public:
    AnsweringRouter(void* ctx, const std::string& endpoint, std::string reply, int count)
        : socket_(zmq_socket(ctx, ZMQ_ROUTER)) {
        REQUIRE(zmq_bind(socket_, endpoint.c_str()) == 0);
        thread_ = std::thread([this, reply = std::move(reply), count] {
            for (int i = 0; i < count; ++i) {
                zmq_msg_t part[3];  // identity, delimiter, request
                for (auto& p : part) zmq_msg_init(&p);
                for (auto& p : part)
                    if (zmq_msg_recv(&p, socket_, 0) < 0) return;
                zmq_msg_send(&part[0], socket_, ZMQ_SNDMORE);
                zmq_msg_send(&part[1], socket_, ZMQ_SNDMORE);
                zmq_send(socket_, reply.data(), reply.size(), 0);
                zmq_msg_close(&part[2]);
            }
        });
    }
    ~AnsweringRouter() {
        thread_.join();
        int linger = 0;
        zmq_setsockopt(socket_, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(socket_);
    }

  private:
    void* socket_;
    std::thread thread_;
};

Expected<std::string> ask(event_base* base, ZmqRouterControl& control, const std::string& request) {
    std::optional<Expected<std::string>> reply;
    control.call(request, [&](Expected<std::string> r) { reply = std::move(r); });
    while (!reply) event_base_loop(base, EVLOOP_ONCE);
    return std::move(*reply);
}
}  // namespace

TEST_CASE("router control calls beyond the limit are refused at once as temporary") {
    event_base* base = event_base_new();
    void* ctx = zmq_ctx_new();
    {
        Mailbox mailbox(base);
        // Nothing listens there: each call waits out its timeout.
        const std::string nobody = "ipc:///tmp/notify-test-nobody-" + std::to_string(getpid());
        ZmqRouterControl control(ctx, {nobody}, mailbox, 300, 3);
        std::vector<Error> answers;
        for (int i = 0; i < 4; ++i)
            control.call("{}", [&](Expected<std::string> r) {
                REQUIRE_FALSE(r);
                answers.push_back(r.error());
            });
        while (answers.empty()) event_base_loop(base, EVLOOP_ONCE);
        // The fourth is refused before any of the three has timed out.
        CHECK(answers[0].code == "router_busy");
        CHECK(answers[0].kind == ErrorKind::temporary);
        CHECK(answers[0].message.find("3 calls are waiting") != std::string::npos);
        while (answers.size() < 4) event_base_loop(base, EVLOOP_ONCE);
        for (std::size_t i = 1; i < 4; ++i) CHECK(answers[i].code == "router_unavailable");
        // Room again once they are done.
        bool answered = false;
        control.call("{}", [&](Expected<std::string> r) {
            CHECK(r.error().code == "router_unavailable");
            answered = true;
        });
        while (!answered) event_base_loop(base, EVLOOP_ONCE);
    }
    zmq_ctx_term(ctx);
    event_base_free(base);
}

TEST_CASE("router control calls go to the router that has bound its endpoint") {
    event_base* base = event_base_new();
    void* ctx = zmq_ctx_new();
    const std::string tag = std::to_string(getpid());
    const std::string standing_by = "ipc:///tmp/notify-test-standby-" + tag;
    const std::string delivering = "ipc:///tmp/notify-test-delivering-" + tag;
    std::optional<AnsweringRouter> answers(std::in_place, ctx, delivering, "pong", 4);
    {
        Mailbox mailbox(base);
        ZmqRouterControl control(ctx, {standing_by, delivering}, mailbox, 2000, 8);
        std::vector<std::string> replies;
        for (int i = 0; i < 4; ++i) {
            auto r = ask(base, control, "{}");
            REQUIRE(r);
            replies.push_back(*r);
        }
        CHECK(replies == std::vector<std::string>(4, "pong"));
    }
    answers.reset();
    zmq_ctx_term(ctx);
    event_base_free(base);
}

TEST_CASE("router control calls ask every router delivering and merge their replies") {
    event_base* base = event_base_new();
    void* ctx = zmq_ctx_new();
    const std::string tag = std::to_string(getpid());
    const std::string first = "ipc:///tmp/notify-test-first-" + tag;
    const std::string second = "ipc:///tmp/notify-test-second-" + tag;
    const std::string standing_by = "ipc:///tmp/notify-test-idle-" + tag;
    {
        Mailbox mailbox(base);
        {
            AnsweringRouter a(
                ctx, first, R"({"ok":true,"canceled":2,"in_flight":0,"partitions":"0","of":2})", 1);
            AnsweringRouter b(ctx, second,
                              R"({"ok":true,"canceled":3,"in_flight":1,"partitions":"1","of":2})",
                              1);
            // The one standing by costs nothing: the answer comes once both have.
            ZmqRouterControl control(ctx, {standing_by, first, second}, mailbox, 10'000, 8);
            const auto started = std::chrono::steady_clock::now();
            auto r = ask(base, control, R"({"op":"cancel","id":"x"})");
            REQUIRE(r);
            CHECK(*r == R"({"canceled":5,"in_flight":1,"ok":true})");
            CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
        }
        {
            // Half of the partitions answered for: not an answer.
            AnsweringRouter a(
                ctx, first, R"({"ok":true,"canceled":2,"in_flight":0,"partitions":"0","of":2})", 1);
            ZmqRouterControl control(ctx, {first, second}, mailbox, 500, 8);
            auto r = ask(base, control, R"({"op":"cancel","id":"x"})");
            REQUIRE_FALSE(r);
            CHECK(r.error().code == "router_unavailable");
            CHECK(r.error().message.find("deliver partitions 0 of 2 only") != std::string::npos);
        }
    }
    zmq_ctx_term(ctx);
    event_base_free(base);
}
