// The pieces around the API core: the ZeroMQ request and reply frames, and the
// group-commit writer thread posting results back to an event loop through the
// mailbox, with a nudge to the router after the commit.
#include <event2/event.h>
#include <zmq.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "door.hpp"
#include "test_ingest_fixture.hpp"
#include "writer.hpp"
#include "zmq_server.hpp"

using namespace notify;
using namespace notify::ingest;
using nlohmann::json;

TEST_CASE("ZeroMQ request frames become API requests") {
    SECTION("a send") {
        auto r = ZmqServer::parse_payload(
            R"({"method":"POST","path":"/v1/notifications","query":{"limit":5,"status":"sent"},
                "body":{"channel":"hook","body":"b"}})");
        REQUIRE(r);
        CHECK(r->trusted);
        CHECK(r->method == "POST");
        CHECK(r->path == "/v1/notifications");
        CHECK(r->query.at("status") == "sent");
        CHECK(r->query.at("limit") == "5");
        CHECK(json::parse(r->body) == json{{"channel", "hook"}, {"body", "b"}});
    }
    SECTION("a null body is an empty one") {
        auto r = ZmqServer::parse_payload(R"({"method":"GET","path":"/v1/queue","body":null})");
        REQUIRE(r);
        CHECK(r->body.empty());
    }
    SECTION("malformed frames") {
        CHECK_FALSE(ZmqServer::parse_payload("not json"));
        CHECK_FALSE(ZmqServer::parse_payload(R"({"path":"/v1/queue"})"));
        CHECK_FALSE(ZmqServer::parse_payload(R"({"method":"GET","path":"/","query":[1]})"));
    }
    SECTION("a frame that is not UTF-8") {
        auto r = ZmqServer::parse_payload("{\"method\":\"GET\",\"path\":\"/\xff\"}");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == "invalid_utf8");
        // Its error answer is valid JSON all the same.
        json j = json::parse(ZmqServer::reply_payload(error_response(400, r.error())));
        CHECK(j["body"]["error"]["code"] == "invalid_utf8");
    }
}

TEST_CASE("ZeroMQ replies carry status, body and headers") {
    Response r;
    r.status = 202;
    r.body = R"({"id":"X"})";
    r.headers.emplace_back("Idempotent-Replayed", "true");
    json j = json::parse(ZmqServer::reply_payload(r));
    CHECK(j["status"] == 202);
    CHECK(j["body"]["id"] == "X");
    CHECK(j["headers"]["Idempotent-Replayed"] == "true");
    Response text;
    text.body = "notify_ingest_pending 0\n";
    text.content_type = "text/plain; version=0.0.4";
    CHECK(json::parse(ZmqServer::reply_payload(text))["body"] == "notify_ingest_pending 0\n");
    // Headers quoting client bytes cannot break the frame.
    Response odd;
    odd.body = "{}";
    odd.headers.emplace_back("Location", "/v1/notifications/\xff");
    CHECK(json::parse(ZmqServer::reply_payload(odd))["headers"]["Location"] ==
          "/v1/notifications/\xef\xbf\xbd");
}

TEST_CASE("the group-commit writer answers on the loop thread after commit and nudges") {
    Config c = ingest_test_config();
    auto opened = store::Store::open(":memory:", {});
    REQUIRE(opened);
    event_base* base = event_base_new();
    void* ctx = zmq_ctx_new();
    void* router = zmq_socket(ctx, ZMQ_ROUTER);
    REQUIRE(zmq_bind(router, "inproc://router-control") == 0);
    std::vector<CommitStats> commits;
    std::vector<CommitResult> results;
    {
        Mailbox mailbox(base);
        // A router standing by binds nothing: nudges go to the one that does.
        GroupWriter writer(std::move(*opened), mailbox, ctx,
                           {"inproc://router-standing-by", "inproc://router-control"}, 4,
                           [&](const CommitStats& s) { commits.push_back(s); });
        std::thread::id loop_thread = std::this_thread::get_id();
        bool on_loop = true;
        for (int i = 0; i < 6; ++i) {
            RequestContext rc{&c, util::now_ms(), "t"};
            auto a = build_notification(json{{"channel", "hook"}, {"body", std::to_string(i)}}, rc);
            REQUIRE(a);
            Submission s;
            s.items.push_back(std::move(*a));
            s.done = [&](CommitResult r) {
                on_loop = on_loop && std::this_thread::get_id() == loop_thread;
                results.push_back(std::move(r));
                if (results.size() == 6) event_base_loopbreak(base);
            };
            writer.submit(std::move(s));
        }
        timeval limit{5, 0};
        event_base_loopexit(base, &limit);
        event_base_dispatch(base);
        CHECK(on_loop);
        writer.stop();
    }
    REQUIRE(results.size() == 6);
    for (const auto& r : results) {
        REQUIRE(r.status);
        CHECK(r.items.at(0).kind == ItemResult::Kind::stored);
    }
    size_t committed = 0;
    for (const auto& s : commits) {
        CHECK(s.notifications <= 4);  // batch_max
        committed += s.notifications;
    }
    CHECK(committed == 6);
    // At least one nudge arrived: [identity]["{"op":"nudge"}"].
    zmq_pollitem_t item{router, 0, ZMQ_POLLIN, 0};
    REQUIRE(zmq_poll(&item, 1, 2000) == 1);
    char buf[64];
    REQUIRE(zmq_recv(router, buf, sizeof buf, 0) > 0);  // identity
    int n = zmq_recv(router, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    CHECK(std::string(buf, static_cast<size_t>(n)) == R"({"op":"nudge"})");
    int linger = 0;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(router);
    zmq_ctx_term(ctx);
    event_base_free(base);
}
