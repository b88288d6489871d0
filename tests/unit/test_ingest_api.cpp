// The API core end to end: handle() against an in-memory store, commits on the
// caller's thread and a fake router control socket; no sockets involved.
#include <sqlite3.h>
#include "store/sqlite_db.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include "store/template_store.hpp"

#include "api.hpp"
#include "test_ingest_fixture.hpp"

using namespace notify;
using namespace notify::ingest;
using nlohmann::json;

namespace {

class FakeControl : public RouterControl {
  public:
    std::vector<std::string> requests;
    std::optional<Expected<std::string>> reply;  // nullopt: the router is down
    bool throw_before = false;                   // a failure before any answer
    bool throw_after = false;                    // a failure after answering
    void call(const std::string& request,
              std::function<void(Expected<std::string>)> done) override {
        requests.push_back(request);
        if (throw_before) throw std::runtime_error("control socket exploded");
        if (throw_after) {
            done(Expected<std::string>(std::string(R"({"ok":true,"canceled":1})")));
            throw std::runtime_error("control socket exploded late");
        }
        if (reply)
            done(*reply);
        else
            done(make_error(ErrorKind::unavailable, "router_unavailable",
                            "no answer within 3000 ms"));
    }
};

struct Harness {
    Config config;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<SyncCommitter> committer;
    FakeControl control;
    Metrics metrics;
    std::unique_ptr<Api> api;

    explicit Harness(const std::string& extra = "require_api_key = false\n",
                     Millis key_ttl = kKeyCacheTtl)
        : config(ingest_test_config(extra)) {
        config.store.path = ":memory:";
        auto s = store::Store::open(":memory:", {});
        REQUIRE(s);
        store = std::move(*s);
        committer = std::make_unique<SyncCommitter>(*store);
        api = std::make_unique<Api>(config, *store, *committer, control, metrics, key_ttl);
    }

    Response call(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& auth = {}, std::map<std::string, std::string> query = {}) {
        Request r{method, path, std::move(query), body, auth, false, {}};
        std::optional<Response> out;
        api->handle(r, [&](Response resp) { out = std::move(resp); });
        REQUIRE(out);  // every route answers at once with SyncCommitter and FakeControl
        return *out;
    }

    std::string post_id(const std::string& body) {
        Response r = call("POST", "/v1/notifications", body);
        REQUIRE(r.status == 202);
        return json::parse(r.body)["id"];
    }
};

std::string header(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return {};
}

std::string code(const Response& r) {
    return json::parse(r.body)["error"]["code"];
}

}  // namespace

TEST_CASE("API: accept a notification, then read it back") {
    Harness h;
    Response r = h.call("POST", "/v1/notifications",
                        R"({"channel":"email","to":["a@example.com","b@example.com"],"subject":"s",
                            "body":"b","data":{"k":1},"module":"billing","send_at":"now+1h"})");
    REQUIRE(r.status == 202);
    json j = json::parse(r.body);
    // Written directly, byte for byte as a document's compact dump would be.
    CHECK(r.body == j.dump());
    std::string id = j["id"];
    CHECK(header(r, "Location") == "/v1/notifications/" + id);
    REQUIRE(j["deliveries"].size() == 2);
    CHECK(j["deliveries"][0] == json{{"id", id + ".1"},
                                     {"channel", "email"},
                                     {"to", "a@example.com"},
                                     {"state", "scheduled"}});

    Response g = h.call("GET", "/v1/notifications/" + id);
    REQUIRE(g.status == 200);
    json n = json::parse(g.body);
    CHECK(n["id"] == id);
    CHECK(n["to"] == json::array({"a@example.com", "b@example.com"}));
    CHECK(n["data"] == json{{"k", 1}});
    CHECK(n["priority"] == "medium");
    CHECK(n["source"] == "http");
    CHECK(n["states"] == json{{"scheduled", 2}});
    CHECK(n["send_at"].get<std::string>().back() == 'Z');
    CHECK(n["deliveries"][1]["next_attempt_at"].is_string());
    CHECK(n["deliveries"][1]["attempts"] == 0);
    CHECK(n["events"].size() == 2);
    CHECK(n["events"][0]["type"] == "accepted");
    CHECK_FALSE(n.contains("html"));
    CHECK_FALSE(n.contains("bulk"));

    SECTION("a bulk send says so when read back") {
        Response b = h.call("POST", "/v1/notifications",
                            R"({"channel":"email","to":"a@example.com","body":"b","bulk":true})");
        REQUIRE(b.status == 202);
        const std::string bulk_id = json::parse(b.body)["id"];
        CHECK(json::parse(h.call("GET", "/v1/notifications/" + bulk_id).body)["bulk"] == true);
    }

    SECTION("a large send shows its first deliveries and counts them all") {
        Response one = h.call("GET", "/v1/notifications/" + id, {}, {}, {{"deliveries", "1"}});
        REQUIRE(one.status == 200);
        json v = json::parse(one.body);
        REQUIRE(v["deliveries"].size() == 1);
        CHECK(v["deliveries"][0]["id"] == id + ".1");
        CHECK(v["deliveries_total"] == 2);
        CHECK(v["states"] == json{{"scheduled", 2}});
        CHECK(v["events"].size() == 1);
        json none = json::parse(
            h.call("GET", "/v1/notifications/" + id, {}, {}, {{"deliveries", "0"}}).body);
        CHECK(none["deliveries"].empty());
        CHECK(none["deliveries_total"] == 2);
        Response bad = h.call("GET", "/v1/notifications/" + id, {}, {}, {{"deliveries", "-1"}});
        CHECK(bad.status == 400);
        CHECK(code(bad) == "invalid_query");
        Response unknown = h.call("GET", "/v1/notifications/" + id, {}, {}, {{"deliverys", "1"}});
        CHECK(unknown.status == 400);
        CHECK(json::parse(unknown.body)["error"]["message"].get<std::string>().find(
                  "did you mean 'deliveries'") != std::string::npos);
    }

    SECTION("list with filters and a cursor") {
        h.post_id(R"({"channel":"hook","body":"2","priority":"high"})");
        h.post_id(R"({"channel":"hook","body":"3","priority":"high"})");
        Response l =
            h.call("GET", "/v1/notifications", {}, {}, {{"priority", "high"}, {"limit", "1"}});
        REQUIRE(l.status == 200);
        json page = json::parse(l.body);
        REQUIRE(page["notifications"].size() == 1);
        CHECK_FALSE(page["notifications"][0].contains("events"));
        REQUIRE(page["next_cursor"].is_string());
        Response l2 = h.call("GET", "/v1/notifications", {}, {},
                             {{"priority", "high"}, {"cursor", page["next_cursor"]}});
        json page2 = json::parse(l2.body);
        CHECK(page2["notifications"].size() == 1);
        CHECK(page2["next_cursor"].is_null());
        CHECK(json::parse(h.call("GET", "/v1/notifications", {}, {}, {{"module", "billing"}})
                              .body)["notifications"]
                  .size() == 1);
        CHECK(json::parse(h.call("GET", "/v1/notifications", {}, {}, {{"status", "scheduled"}})
                              .body)["notifications"]
                  .size() == 1);
        // Text is matched as it is: '%' and '_' are no wildcards.
        h.post_id(R"({"channel":"hook","body":"disk 95% full on db_1"})");
        auto by_text = [&](const std::string& text) {
            return json::parse(h.call("GET", "/v1/notifications", {}, {}, {{"text", text}})
                                   .body)["notifications"]
                .size();
        };
        CHECK(by_text("95% full") == 1);
        CHECK(by_text("db_1") == 1);
        CHECK(by_text("9_%") == 0);
        CHECK(by_text("db%1") == 0);
        CHECK(json::parse(h.call("GET", "/v1/notifications", {}, {}, {{"user", "nobody"}})
                              .body)["notifications"]
                  .empty());
        CHECK(json::parse(h.call("GET", "/v1/notifications", {}, {}, {{"template", "nothing"}})
                              .body)["notifications"]
                  .empty());
    }
    SECTION("bad filters") {
        Response empty_range =
            h.call("GET", "/v1/notifications", {}, {},
                   {{"since", "2026-01-02T00:00:00Z"}, {"until", "2026-01-01T00:00:00Z"}});
        CHECK(empty_range.status == 400);
        CHECK(code(empty_range) == "invalid_filter");
        CHECK(json::parse(empty_range.body)["error"]["field"] == "until");
        CHECK(code(h.call("GET", "/v1/notifications", {}, {},
                          {{"since", "2026-01-01T00:00:00Z"},
                           {"until", "2026-01-01T00:00:00Z"}})) == "invalid_filter");
        Response by_group = h.call("GET", "/v1/notifications", {}, {}, {{"group", "ops"}});
        CHECK(by_group.status == 200);
        CHECK(json::parse(by_group.body)["notifications"].empty());
        CHECK(code(h.call("GET", "/v1/notifications", {}, {}, {{"status", "sending"}})) ==
              "invalid_filter");
        CHECK(code(h.call("GET", "/v1/notifications", {}, {}, {{"limit", "0"}})) ==
              "invalid_filter");
        CHECK(code(h.call("GET", "/v1/notifications", {}, {}, {{"since", "yesterday"}})) ==
              "invalid_filter");
        CHECK(code(h.call("GET", "/v1/notifications", {}, {}, {{"chanel", "x"}})) ==
              "unknown_filter");
        CHECK(code(h.call("GET", "/v1/notifications", {}, {}, {{"text", std::string(201, 'x')}})) ==
              "invalid_filter");
    }
    SECTION("queue") {
        Response q = h.call("GET", "/v1/queue");
        REQUIRE(q.status == 200);
        json rows = json::parse(q.body)["queue"];
        REQUIRE(rows.size() == 1);
        CHECK(rows[0]["state"] == "scheduled");
        CHECK(rows[0]["count"] == 2);
        CHECK(rows[0]["channel"] == "email");
        CHECK(rows[0].contains("oldest_age_seconds"));
    }
    SECTION("unknown id") {
        CHECK(h.call("GET", "/v1/notifications/NOPE").status == 404);
    }
}

TEST_CASE("API: idempotency keys") {
    Harness h;
    const std::string body = R"({"channel":"hook","body":"x","idempotency_key":"order-7"})";
    Response first = h.call("POST", "/v1/notifications", body);
    REQUIRE(first.status == 202);
    Response again = h.call("POST", "/v1/notifications",
                            R"({"idempotency_key":"order-7","body":"x","channel":"hook"})");
    CHECK(again.status == 202);
    CHECK(again.body == first.body);
    CHECK(header(again, "Idempotent-Replayed") == "true");
    CHECK(header(first, "Idempotent-Replayed").empty());
    Response other = h.call("POST", "/v1/notifications",
                            R"({"channel":"hook","body":"y","idempotency_key":"order-7"})");
    CHECK(other.status == 422);
    CHECK(code(other) == "idempotency_conflict");
    CHECK(json::parse(h.call("GET", "/v1/notifications").body)["notifications"].size() == 1);
}

TEST_CASE("API: request errors") {
    Harness h;
    SECTION("too large") {
        std::string big = R"({"channel":"hook","body":")" + std::string(3000, 'x') + "\"}";
        Response r = h.call("POST", "/v1/notifications", big);
        CHECK(r.status == 413);
        CHECK(code(r) == "too_large");
    }
    SECTION("a long unknown path is quoted clipped in the 404") {
        Response r = h.call("GET", "/nope/" + std::string(100000, 'a'));
        CHECK(r.status == 404);
        CHECK(r.body.size() < 1024);
    }
    SECTION("validation codes pass through with their status and field") {
        Response r = h.call("POST", "/v1/notifications", R"({"channel":"emial","body":"b"})");
        CHECK(r.status == 400);
        json e = json::parse(r.body)["error"];
        CHECK(e["code"] == "unknown_channel");
        CHECK(e["field"] == "channel");
        CHECK(h.call("POST", "/v1/notifications", "{").status == 400);
        CHECK(h.call("POST", "/v1/notifications", R"({"channel":"hook","template":"t","body":"b"})")
                  .status == 400);
        CHECK(h.call("POST", "/v1/notifications", R"({"channel":"hook","template":"t"})").status ==
              422);
    }
    SECTION("data nested too deep or a number out of range: 400 naming the field") {
        std::string deep = R"({"channel":"hook","body":"b","data":{"x":)" + std::string(100, '[') +
                           std::string(100, ']') + "}}";
        Response r = h.call("POST", "/v1/notifications", deep);
        CHECK(r.status == 400);
        CHECK(code(r) == "too_deep");
        CHECK(json::parse(r.body)["error"]["field"] == "data.x");
        Response big = h.call("POST", "/v1/notifications",
                              R"({"channel":"hook","body":"b","data":{"n":1e400}})");
        CHECK(big.status == 400);
        CHECK(code(big) == "number_out_of_range");
        CHECK(json::parse(big.body)["error"]["field"] == "data.n");
    }
    SECTION("routes and methods") {
        CHECK(h.call("GET", "/v2/things").status == 404);
        Response m = h.call("DELETE", "/v1/notifications");
        CHECK(m.status == 405);
        CHECK(header(m, "Allow") == "GET, POST");
        CHECK(header(h.call("GET", "/v1/notifications/batch"), "Allow") == "POST");
    }
    SECTION("nothing stored") {
        CHECK(json::parse(h.call("GET", "/v1/notifications").body)["notifications"].empty());
    }
}

TEST_CASE("API: batches") {
    Harness h;
    Response r = h.call("POST", "/v1/notifications/batch", R"({"notifications":[
        {"channel":"hook","body":"1"},
        {"channel":"email","to":"nope","body":"2"},
        {"channel":"sms","to":"+8613800138000","body":"3","idempotency_key":"b1"},
        {"channel":"sms","to":"+8613800138000","body":"3","idempotency_key":"b1"}]})");
    REQUIRE(r.status == 202);
    CHECK(r.body == json::parse(r.body).dump());
    json items = json::parse(r.body)["notifications"];
    REQUIRE(items.size() == 4);
    CHECK(items[0]["id"].is_string());
    CHECK(items[1]["error"]["code"] == "invalid_address");
    CHECK(items[1]["error"]["field"] == "notifications[1].to");
    CHECK(items[2]["deliveries"][0]["to"] == "+8613800138000");
    CHECK(items[3]["id"] == items[2]["id"]);
    CHECK(items[3]["replayed"] == true);
    CHECK(json::parse(h.call("GET", "/v1/notifications").body)["notifications"].size() == 2);

    std::string five = R"({"notifications":[)";
    for (int i = 0; i < 5; ++i)
        five += std::string(i ? "," : "") + R"({"channel":"hook","body":"x"})";
    five += "]}";
    CHECK(h.call("POST", "/v1/notifications/batch", five).status == 413);  // batch_max = 4
    CHECK(code(h.call("POST", "/v1/notifications/batch", R"({"items":[]})")) == "unknown_field");
    CHECK(code(h.call("POST", "/v1/notifications/batch", R"({})")) == "missing_field");
}

TEST_CASE("API: bytes that are not UTF-8 get a JSON answer, never a crash") {
    Harness h;
    SECTION("in the path") {
        Response r = h.call("GET", "/\xff");
        CHECK(r.status == 404);
        json j = json::parse(r.body);  // valid UTF-8: the byte became U+FFFD
        CHECK(j["error"]["message"] == "no such route '/\xef\xbf\xbd'");
    }
    SECTION("in a query value") {
        Response r = h.call("GET", "/v1/notifications", {}, {}, {{"status", "fail\xe9"}});
        CHECK(r.status == 400);
        CHECK(code(r) == "invalid_filter");
        CHECK(json::parse(r.body)["error"]["message"].get<std::string>().find(
                  "'fail\xef\xbf\xbd'") != std::string::npos);
    }
    SECTION("in the body: refused with the field, nothing stored") {
        Response r =
            h.call("POST", "/v1/notifications", "{\"channel\":\"outbox\",\"body\":\"\xff\"}");
        CHECK(r.status == 400);
        CHECK(code(r) == "invalid_utf8");
        CHECK(json::parse(r.body)["error"]["field"] == "body");
        Response batch = h.call("POST", "/v1/notifications/batch",
                                "{\"notifications\":[{\"channel\":\"outbox\",\"to\":\"\xfe\"}]}");
        CHECK(batch.status == 400);
        CHECK(json::parse(batch.body)["error"]["field"] == "notifications[0].to");
        CHECK(json::parse(h.call("GET", "/v1/notifications").body)["notifications"].empty());
    }
}

TEST_CASE("API: an exception answers 500 once and the API keeps serving") {
    Harness h;
    std::string id = h.post_id(R"({"channel":"hook","body":"b"})");
    SECTION("before any answer") {
        h.control.throw_before = true;
        Response r = h.call("POST", "/v1/notifications/" + id + "/cancel");
        CHECK(r.status == 500);
        CHECK(code(r) == "internal");
    }
    SECTION("after the answer: no second one") {
        h.control.throw_after = true;
        int answers = 0;
        Response last;
        Request req{"POST", "/v1/notifications/" + id + "/cancel", {}, {}, {}, false, {}};
        h.api->handle(req, [&](Response resp) {
            ++answers;
            last = std::move(resp);
        });
        CHECK(answers == 1);
        CHECK(last.status == 200);
    }
    CHECK(h.call("GET", "/v1/notifications/" + id).status == 200);
}

TEST_CASE("API: a store that cannot commit answers 503 and keeps nothing") {
    Harness h;
    REQUIRE(sqlite3_exec(store::sqlite_handle(h.store->handle()), "DROP TABLE events", nullptr,
                         nullptr, nullptr) == SQLITE_OK);
    Response r = h.call("POST", "/v1/notifications", R"({"channel":"hook","body":"b"})");
    CHECK(r.status == 503);
    CHECK(code(r) == "store_unavailable");
    Response health = h.call("GET", "/healthz");
    CHECK(health.status == 503);
    CHECK(json::parse(health.body)["status"] == "unavailable");
    CHECK(code(health) == "store_unavailable");
    CHECK(json::parse(h.call("GET", "/v1/notifications").body)["notifications"].empty());
}

TEST_CASE("API: cancel, resend, approve and reject") {
    Harness h;
    std::string id = h.post_id(R"({"channel":"hook","body":"b"})");
    SECTION("forwarded to the router") {
        h.control.reply =
            Expected<std::string>(std::string(R"({"ok":true,"canceled":1,"in_flight":2})"));
        Response r = h.call("POST", "/v1/notifications/" + id + "/cancel");
        CHECK(r.status == 200);
        CHECK(json::parse(r.body) == json{{"id", id}, {"canceled", 1}, {"in_flight", 2}});
        REQUIRE(h.control.requests.size() == 1);
        CHECK(json::parse(h.control.requests[0]) ==
              json{{"op", "cancel"}, {"id", id}, {"by", "http"}});
        h.control.reply = Expected<std::string>(
            std::string(R"({"ok":true,"canceled":0,"in_flight":0,"fanout":"canceled"})"));
        CHECK(json::parse(h.call("POST", "/v1/notifications/" + id + "/cancel").body)["fanout"] ==
              "canceled");
        h.control.requests.clear();
        h.control.reply = Expected<std::string>(std::string(R"({"ok":true,"requeued":2})"));
        CHECK(json::parse(h.call("POST", "/v1/notifications/" + id + "/resend").body)["requeued"] ==
              2);
        h.control.reply = Expected<std::string>(
            std::string(R"({"error":{"code":"final","message":"all sent"}})"));
        Response refused = h.call("POST", "/v1/notifications/" + id + "/cancel");
        CHECK(refused.status == 409);
        CHECK(code(refused) == "final");
    }
    SECTION("a router without in_flight counts none") {
        h.control.reply = Expected<std::string>(std::string(R"({"ok":true,"canceled":0})"));
        Response r = h.call("POST", "/v1/notifications/" + id + "/cancel");
        CHECK(json::parse(r.body) == json{{"id", id}, {"canceled", 0}, {"in_flight", 0}});
    }
    SECTION("router down") {
        Response r = h.call("POST", "/v1/notifications/" + id + "/resend");
        CHECK(r.status == 503);
        CHECK(code(r) == "router_unavailable");
    }
    SECTION("unknown ids never reach the router") {
        CHECK(h.call("POST", "/v1/notifications/NOPE/cancel").status == 404);
        CHECK(h.control.requests.empty());
    }
    SECTION("approvals") {
        Response a = h.call("POST", "/v1/notifications/" + id + "/approve");
        CHECK(a.status == 409);
        CHECK(code(a) == "not_pending_approval");
        CHECK(h.call("POST", "/v1/notifications/NOPE/reject").status == 404);
    }
}

TEST_CASE("API: health, metrics and shutdown") {
    Harness h;
    h.post_id(R"({"channel":"hook","body":"b"})");
    h.call("POST", "/v1/notifications", R"({"channel":"nope","body":"b"})");
    // Before the router was asked, and while it answers with a worker: ready.
    Response health = h.call("GET", "/healthz");
    CHECK(health.status == 200);
    CHECK(json::parse(health.body) == json{{"status", "ready"}});
    h.control.reply = std::string(R"({"ok":true,"active":0,"workers":2})");
    bool heard = false;
    h.api->health().check_router([&] { heard = true; });
    CHECK(heard);
    CHECK(h.control.requests.back() == R"({"op":"ping"})");
    CHECK(json::parse(h.call("GET", "/healthz").body) == json{{"status", "ready"}});
    // A router without workers, then one that does not answer: degraded, and why.
    h.control.reply = std::string(R"({"ok":true,"active":0,"workers":0})");
    h.api->health().check_router([] {});
    Response idle = h.call("GET", "/healthz");
    CHECK(idle.status == 200);
    CHECK(json::parse(idle.body)["status"] == "degraded");
    CHECK(json::parse(idle.body)["problems"][0].get<std::string>().find("has no worker") !=
          std::string::npos);
    h.control.reply.reset();
    h.api->health().check_router([] {});
    json down = json::parse(h.call("GET", "/healthz").body);
    CHECK(down["status"] == "degraded");
    REQUIRE(down["problems"].size() == 1);
    CHECK(down["problems"][0].get<std::string>().find("does not answer") != std::string::npos);
    h.control.reply = std::string(R"({"ok":true,"active":0,"workers":1})");
    h.api->health().check_router([] {});
    CHECK(json::parse(h.call("GET", "/healthz").body)["status"] == "ready");
    Response m = h.call("GET", "/metrics");
    CHECK(m.status == 200);
    CHECK(m.content_type.rfind("text/plain", 0) == 0);
    CHECK(m.body.find("notify_ingest_accepted_total 1\n") != std::string::npos);
    CHECK(m.body.find("notify_ingest_rejected_total{code=\"unknown_channel\"} 1\n") !=
          std::string::npos);
    CHECK(m.body.find("notify_ingest_pending 0\n") != std::string::npos);
    h.api->set_stopping();
    Response late = h.call("POST", "/v1/notifications", R"({"channel":"hook","body":"b"})");
    CHECK(late.status == 503);
    CHECK(code(late) == "shutting_down");
    CHECK(h.call("GET", "/healthz").status == 200);
}

TEST_CASE("API: keys and scopes") {
    Harness h("require_api_key = true\n", 0);  // no cache: every request asks the store
    auto send_key = h.store->create_api_key("app", "send");
    auto read_key = h.store->create_api_key("dash", "read");
    auto admin_key = h.store->create_api_key("ops", "admin");
    REQUIRE(send_key);
    REQUIRE(read_key);
    REQUIRE(admin_key);
    const std::string body = R"({"channel":"hook","body":"b"})";
    auto bearer = [](const std::string& k) { return "Bearer " + k; };

    Response none = h.call("POST", "/v1/notifications", body);
    CHECK(none.status == 401);
    CHECK(header(none, "WWW-Authenticate") == "Bearer");
    CHECK(h.call("POST", "/v1/notifications", body, "Bearer nk_nope_nope").status == 401);
    CHECK(h.call("POST", "/v1/notifications", body, "Basic dXNlcjpwYXNz").status == 401);

    Response sent = h.call("POST", "/v1/notifications", body, bearer(*send_key));
    REQUIRE(sent.status == 202);
    std::string id = json::parse(sent.body)["id"];
    CHECK(json::parse(
              h.call("GET", "/v1/notifications/" + id, {}, bearer(*read_key)).body)["source"] ==
          "app");
    // A send key reads its own notifications (test_ingest_ownership.cpp), nothing else.
    CHECK(h.call("GET", "/v1/notifications/" + id, {}, bearer(*send_key)).status == 200);
    CHECK(code(h.call("GET", "/v1/queue", {}, bearer(*send_key))) == "forbidden");
    CHECK(h.call("POST", "/v1/notifications", body, bearer(*read_key)).status == 403);
    CHECK(h.call("POST", "/v1/notifications/" + id + "/approve", {}, bearer(*send_key)).status ==
          403);
    CHECK(h.call("POST", "/v1/notifications/" + id + "/approve", {}, bearer(*admin_key)).status ==
          409);
    CHECK(h.call("GET", "/v1/queue", {}, bearer(*admin_key)).status == 200);
    CHECK(h.call("GET", "/healthz").status == 200);
    CHECK(h.call("GET", "/metrics").status == 200);

    SECTION("the ipc socket is trusted as admin") {
        Request r{"GET", "/v1/notifications/" + id, {}, {}, {}, true, {}};
        std::optional<Response> out;
        h.api->handle(r, [&](Response resp) { out = std::move(resp); });
        REQUIRE(out);
        CHECK(out->status == 200);
    }
    SECTION("a revoked key stops working") {
        REQUIRE(h.store->revoke_api_key("app"));
        CHECK(h.call("POST", "/v1/notifications", body, bearer(*send_key)).status == 401);
    }
}

TEST_CASE("API: key lookups are cached for a while") {
    Harness h("require_api_key = true\n", 60'000);
    auto key = h.store->create_api_key("app", "send");
    REQUIRE(key);
    const std::string body = R"({"channel":"hook","body":"b"})";
    CHECK(h.call("POST", "/v1/notifications", body, "Bearer " + *key).status == 202);
    REQUIRE(h.store->revoke_api_key("app"));
    // Within the cache's lifetime the revoked key still passes; it is the bound
    // the man page states.
    CHECK(h.call("POST", "/v1/notifications", body, "Bearer " + *key).status == 202);
}

TEST_CASE("a template fills the subject and bodies at the door", "[ingest]") {
    Harness h;
    store::TemplateStore templates(*h.store);
    store::TemplateVersion en;
    en.name = "password-reset";
    en.subject = "Your code {{code}}";
    en.text = "Hi {{user.name}}, use {{code}} within {{minutes}} minutes.";
    en.html = "<p>{{user.name}}: {{code}}</p>";
    REQUIRE(templates.add(en));
    store::TemplateVersion zh = en;
    zh.locale = "zh";
    zh.subject = "验证码 {{code}}";
    REQUIRE(templates.add(zh));

    SECTION("rendered with the data, HTML escaped only in the HTML body") {
        std::string id = h.post_id(
            R"({"channel":"hook","template":"password-reset","data":{"code":"4<9","minutes":5,"user":{"name":"Ana"}}})");
        json n = json::parse(h.call("GET", "/v1/notifications/" + id).body);
        CHECK(n["subject"] == "Your code 4<9");
        CHECK(n["body"] == "Hi Ana, use 4<9 within 5 minutes.");
        CHECK(n["html"] == "<p>Ana: 4&lt;9</p>");
        CHECK(n["template"] == "password-reset");
    }
    SECTION("the locale falls back to the language") {
        std::string id = h.post_id(
            R"({"channel":"hook","template":"password-reset","locale":"zh-CN","data":{"code":"1","minutes":5,"user":{"name":"A"}}})");
        CHECK(json::parse(h.call("GET", "/v1/notifications/" + id).body)["subject"] == "验证码 1");
    }
    SECTION("unfilled variables and unknown templates are refused, nothing stored") {
        Response r =
            h.call("POST", "/v1/notifications",
                   R"({"channel":"hook","template":"password-reset","data":{"code":"1"}})");
        CHECK(r.status == 422);
        json e = json::parse(r.body)["error"];
        CHECK(e["code"] == "missing_variables");
        CHECK(e["field"] == "data");
        CHECK(e["message"] == "template 'password-reset': missing variables: user.name, minutes");
        Response u = h.call("POST", "/v1/notifications", R"({"channel":"hook","template":"nope"})");
        CHECK(u.status == 422);
        CHECK(json::parse(u.body)["error"]["code"] == "unknown_template");
        CHECK(json::parse(h.call("GET", "/v1/notifications").body)["notifications"].empty());
    }
}
