// test_ingest_metrics.cpp - GET /metrics in the API core: ingest's figures with
// the router's exposition appended, notify_router_up, one call to the router
// for every scrape waiting, and an answer when the router is down or answers
// something else.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api.hpp"
#include "test_ingest_fixture.hpp"

using namespace notify;
using namespace notify::ingest;

namespace {

// A router whose answers the test gives when it likes.
class HeldControl : public RouterControl {
  public:
    std::vector<std::string> requests;
    std::vector<std::function<void(Expected<std::string>)>> pending;
    void call(const std::string& request,
              std::function<void(Expected<std::string>)> done) override {
        requests.push_back(request);
        pending.push_back(std::move(done));
    }
    void answer(Expected<std::string> reply) {
        auto waiting = std::move(pending);
        pending.clear();
        for (auto& done : waiting) done(reply);
    }
};

struct MetricsApi {
    Config config = ingest_test_config();
    std::unique_ptr<store::Store> store;
    std::unique_ptr<SyncCommitter> committer;
    HeldControl control;
    Metrics metrics;
    std::unique_ptr<Api> api;
    std::vector<Response> answers;

    MetricsApi() {
        auto s = store::Store::open(":memory:", {});
        REQUIRE(s);
        store = std::move(*s);
        committer = std::make_unique<SyncCommitter>(*store);
        api = std::make_unique<Api>(config, *store, *committer, control, metrics);
    }
    void scrape() {
        Request req;
        req.method = "GET";
        req.path = "/metrics";
        api->handle(req, [this](Response r) { answers.push_back(std::move(r)); });
    }
};

constexpr const char* kRouterText =
    "# HELP notify_in_flight Deliveries handed to a worker and not answered yet.\n"
    "# TYPE notify_in_flight gauge\n"
    "notify_in_flight 7\n";

}  // namespace

TEST_CASE("metrics: ingest's figures, then the router's") {
    MetricsApi m;
    m.scrape();
    REQUIRE(m.control.requests == std::vector<std::string>{R"({"op":"metrics"})"});
    CHECK(m.answers.empty());  // waits for the router
    m.control.answer(Expected<std::string>(std::string(kRouterText)));
    REQUIRE(m.answers.size() == 1);
    const Response& r = m.answers[0];
    CHECK(r.status == 200);
    CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(r.body.find("# TYPE notify_ingest_accept_seconds histogram\n") != std::string::npos);
    CHECK(r.body.find("notify_router_up 1\n") != std::string::npos);
    // The router's text comes last, as it is.
    CHECK(r.body.size() > std::string(kRouterText).size());
    CHECK(r.body.substr(r.body.size() - std::string(kRouterText).size()) == kRouterText);
}

TEST_CASE("metrics: scrapes that wait share one call to the router") {
    MetricsApi m;
    m.scrape();
    m.scrape();
    m.scrape();
    CHECK(m.control.requests.size() == 1);
    m.control.answer(Expected<std::string>(std::string(kRouterText)));
    REQUIRE(m.answers.size() == 3);
    for (const auto& a : m.answers) CHECK(a.body.find("notify_in_flight 7\n") != std::string::npos);
    // The next scrape asks again.
    m.scrape();
    CHECK(m.control.requests.size() == 2);
}

TEST_CASE("metrics: without the router's figures, ingest's alone") {
    MetricsApi m;
    SECTION("the router does not answer") {
        m.scrape();
        m.control.answer(
            make_error(ErrorKind::unavailable, "router_unavailable", "no answer within 3000 ms"));
    }
    SECTION("the router answers something that is not an exposition") {
        m.scrape();
        m.control.answer(Expected<std::string>(
            std::string(R"({"error":{"code":"unknown_op","message":"unknown"}})")));
    }
    REQUIRE(m.answers.size() == 1);
    CHECK(m.answers[0].status == 200);
    CHECK(m.answers[0].body.find("notify_router_up 0\n") != std::string::npos);
    CHECK(m.answers[0].body.find("notify_ingest_accepted_total 0\n") != std::string::npos);
    CHECK(m.answers[0].body.find("unknown_op") == std::string::npos);
}

TEST_CASE("metrics: a send is timed from its arrival to its answer") {
    MetricsApi m;
    std::optional<Response> sent;
    Request req;
    req.method = "POST";
    req.path = "/v1/notifications";
    req.body = R"({"channel":"hook","body":"b"})";
    req.trusted = true;
    m.api->handle(req, [&](Response r) { sent = std::move(r); });
    REQUIRE(sent);
    REQUIRE(sent->status == 202);
    m.scrape();
    m.control.answer(make_error(ErrorKind::unavailable, "router_unavailable", "down"));
    REQUIRE(m.answers.size() == 1);
    CHECK(m.answers[0].body.find("notify_ingest_accept_seconds_count 1\n") != std::string::npos);
    CHECK(m.answers[0].body.find("notify_ingest_accepted_total 1\n") != std::string::npos);
}
