// test_ingest_control.cpp - calls to the router's control socket: a router that
// does not answer costs each call its timeout, and calls beyond the limit are
// refused at once rather than each holding a thread.
#include <event2/event.h>
#include <unistd.h>
#include <zmq.h>

#include <catch2/catch.hpp>

#include <string>
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
        ZmqRouterControl control(ctx, nobody, mailbox, 300, 3);
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
