// test_ingest_control.cpp - calls to the router's control socket: a router that
// does not answer costs each call its timeout, and calls beyond the limit are
// refused at once rather than each holding a thread; of several routers, the
// one that has bound its endpoint answers (the others stand by).
#include <event2/event.h>
#include <unistd.h>
#include <zmq.h>

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "control.hpp"
#include "mailbox.hpp"

using namespace notify;
using namespace notify::ingest;

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
    void* router = zmq_socket(ctx, ZMQ_ROUTER);
    REQUIRE(zmq_bind(router, delivering.c_str()) == 0);
    std::thread answers([router] {
        for (int i = 0; i < 4; ++i) {
            zmq_msg_t part[3];  // identity, delimiter, request
            for (auto& p : part) zmq_msg_init(&p);
            for (auto& p : part)
                if (zmq_msg_recv(&p, router, 0) < 0) return;
            zmq_msg_send(&part[0], router, ZMQ_SNDMORE);
            zmq_msg_send(&part[1], router, ZMQ_SNDMORE);
            zmq_send(router, "pong", 4, 0);
            zmq_msg_close(&part[2]);
        }
    });
    {
        Mailbox mailbox(base);
        ZmqRouterControl control(ctx, {standing_by, delivering}, mailbox, 2000, 8);
        std::vector<std::string> replies;
        for (int i = 0; i < 4; ++i) {
            bool done = false;
            control.call("{}", [&](Expected<std::string> r) {
                REQUIRE(r);
                replies.push_back(*r);
                done = true;
            });
            while (!done) event_base_loop(base, EVLOOP_ONCE);
        }
        CHECK(replies == std::vector<std::string>(4, "pong"));
    }
    answers.join();
    int linger = 0;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(router);
    zmq_ctx_term(ctx);
    event_base_free(base);
}
