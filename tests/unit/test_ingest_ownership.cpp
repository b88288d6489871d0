// Ownership between API keys in the API core: a send-scope key sees, cancels and
// resends only its own notifications, idempotency keys are each API key's own,
// per-key rate limits answer 429, and admin changes are in the audit log.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "store/audit.hpp"
#include "test_ingest_harness.hpp"

using namespace notify;
using namespace notify::ingest;
using nlohmann::json;

namespace {

struct Keys {
    std::string a, b, read, admin;
};

Keys make_keys(store::Store& s, const store::ApiKeyLimits& b_limits = {}) {
    auto a = s.create_api_key("team-a", "send");
    auto b = s.create_api_key("team-b", "send", b_limits);
    auto r = s.create_api_key("dashboard", "read");
    auto ad = s.create_api_key("ops", "admin");
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(r);
    REQUIRE(ad);
    return {"Bearer " + *a, "Bearer " + *b, "Bearer " + *r, "Bearer " + *ad};
}

Response call(test::ApiHarness& h, const std::string& method, const std::string& path,
              const std::string& auth, const std::string& body = {},
              std::map<std::string, std::string> query = {}) {
    return h.handle(Request{method, path, std::move(query), body, auth, false, {}});
}

std::string error_code(const Response& r) {
    return json::parse(r.body)["error"]["code"];
}

std::string header(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return {};
}

std::vector<std::string> listed_ids(const Response& r) {
    REQUIRE(r.status == 200);
    json page = json::parse(r.body);
    std::vector<std::string> ids;
    for (const auto& n : page["notifications"]) ids.push_back(n["id"]);
    return ids;
}

const std::string kSend = R"({"channel":"hook","body":"b"})";

}  // namespace

TEST_CASE("a send key sees, cancels and resends only its own notifications", "[ingest]") {
    test::ApiHarness h("require_api_key = true\n", 0);
    Keys k = make_keys(*h.store);
    Response sent = call(h, "POST", "/v1/notifications", k.a, kSend);
    REQUIRE(sent.status == 202);
    std::string a_id = json::parse(sent.body)["id"];
    Response b_sent = call(h, "POST", "/v1/notifications", k.b, kSend);
    REQUIRE(b_sent.status == 202);
    std::string b_id = json::parse(b_sent.body)["id"];
    const std::string a_path = "/v1/notifications/" + a_id;

    SECTION("the notification names the key that made it") {
        json n = json::parse(call(h, "GET", a_path, k.admin).body);
        CHECK(n["source"] == "team-a");
        auto v = h.store->get_notification(a_id, false);
        REQUIRE(v);
        CHECK_FALSE(v->notification.api_key_id.empty());
        CHECK(v->notification.api_key_id != "team-a");  // the id, not only the name
    }
    SECTION("its own: found; another's: 404 as if it did not exist") {
        CHECK(call(h, "GET", a_path, k.a).status == 200);
        Response other = call(h, "GET", a_path, k.b);
        CHECK(other.status == 404);
        CHECK(error_code(other) == "not_found");
        CHECK(json::parse(other.body)["error"]["message"] == "no notification '" + a_id + "'");
    }
    SECTION("a list shows a send key its own only; read and admin keys see all") {
        CHECK(listed_ids(call(h, "GET", "/v1/notifications", k.a)) ==
              std::vector<std::string>{a_id});
        CHECK(listed_ids(call(h, "GET", "/v1/notifications", k.b)) ==
              std::vector<std::string>{b_id});
        CHECK(listed_ids(call(h, "GET", "/v1/notifications", k.read)).size() == 2);
        CHECK(listed_ids(call(h, "GET", "/v1/notifications", k.admin)).size() == 2);
        CHECK(call(h, "GET", a_path, k.read).status == 200);
    }
    SECTION("cancel and resend of another's notification are 404, of its own reach the router") {
        for (const char* action : {"/cancel", "/resend"}) {
            Response theirs = call(h, "POST", a_path + action, k.b);
            CHECK(theirs.status == 404);
            CHECK(error_code(theirs) == "not_found");
            // This harness has no router: passing the ownership check ends there.
            CHECK(error_code(call(h, "POST", a_path + action, k.a)) == "router_unavailable");
            CHECK(error_code(call(h, "POST", a_path + action, k.admin)) == "router_unavailable");
        }
    }
    SECTION("a send key still may not read what is not a notification") {
        CHECK(call(h, "GET", "/v1/queue", k.a).status == 403);
        CHECK(call(h, "GET", "/v1/audit", k.a).status == 403);
    }
}

TEST_CASE("idempotency keys are scoped per API key", "[ingest]") {
    test::ApiHarness h("require_api_key = true\n", 0);
    Keys k = make_keys(*h.store);
    const std::string body = R"({"channel":"hook","body":"x","idempotency_key":"order-7"})";
    Response a1 = call(h, "POST", "/v1/notifications", k.a, body);
    REQUIRE(a1.status == 202);
    Response b1 = call(h, "POST", "/v1/notifications", k.b, body);
    REQUIRE(b1.status == 202);
    CHECK(json::parse(b1.body)["id"] != json::parse(a1.body)["id"]);
    CHECK(header(b1, "Idempotent-Replayed").empty());

    Response a2 = call(h, "POST", "/v1/notifications", k.a, body);
    CHECK(a2.status == 202);
    CHECK(a2.body == a1.body);
    CHECK(header(a2, "Idempotent-Replayed") == "true");
    // B's own key with another body is B's conflict, not A's.
    Response b2 = call(h, "POST", "/v1/notifications", k.b,
                       R"({"channel":"hook","body":"y","idempotency_key":"order-7"})");
    CHECK(b2.status == 422);
    CHECK(json::parse(b2.body)["error"]["message"].get<std::string>().find(
              json::parse(b1.body)["id"].get<std::string>()) != std::string::npos);

    SECTION("within one batch too") {
        Response batch = call(h, "POST", "/v1/notifications/batch", k.b,
                              R"({"notifications":[{"channel":"hook","body":"x",
                                  "idempotency_key":"order-8"}]})");
        REQUIRE(batch.status == 202);
        Response a3 = call(h, "POST", "/v1/notifications", k.a,
                           R"({"channel":"hook","body":"x","idempotency_key":"order-8"})");
        CHECK(header(a3, "Idempotent-Replayed").empty());
        CHECK(json::parse(a3.body)["id"] != json::parse(batch.body)["notifications"][0]["id"]);
    }
}

TEST_CASE("per-key request rate limit answers 429 with Retry-After", "[ingest]") {
    test::ApiHarness h("require_api_key = true\n[api]\nrate_limit = \"2/1h\"\n", 0);
    Keys k = make_keys(*h.store, {"5/1h", -1});
    CHECK(call(h, "POST", "/v1/notifications", k.a, kSend).status == 202);
    CHECK(call(h, "GET", "/v1/notifications", k.a).status == 200);
    Response over = call(h, "POST", "/v1/notifications", k.a, kSend);
    CHECK(over.status == 429);
    CHECK(error_code(over) == "rate_limited");
    CHECK(json::parse(over.body)["error"]["field"] == "rate_limit");
    long retry = std::stol(header(over, "Retry-After"));
    CHECK(retry > 3500);
    CHECK(retry <= 3600);
    // One key at its limit leaves the others alone; B has its own, higher one.
    for (int i = 0; i < 5; ++i) CHECK(call(h, "GET", "/v1/notifications", k.b).status == 200);
    CHECK(call(h, "GET", "/v1/notifications", k.b).status == 429);
    CHECK(call(h, "GET", "/v1/notifications", k.read).status == 200);
    // notifyctl over the ipc socket is the local operator: not limited.
    for (int i = 0; i < 3; ++i)
        CHECK(h.handle(Request{"POST", "/v1/notifications", {}, kSend, {}, true, {}}).status ==
              202);
}

TEST_CASE("per-key recipients a day answer 429 naming the limit", "[ingest]") {
    test::ApiHarness h("require_api_key = true\n[api]\nrecipients_per_day = 3\n", 0);
    Keys k = make_keys(*h.store, {"", 10});
    const std::string two =
        R"({"channel":"email","to":["a@example.com","b@example.com"],"body":"b"})";
    CHECK(call(h, "POST", "/v1/notifications", k.a, two).status == 202);
    Response over = call(h, "POST", "/v1/notifications", k.a, two);
    CHECK(over.status == 429);
    CHECK(json::parse(over.body)["error"]["field"] == "recipients_per_day");
    CHECK(std::stol(header(over, "Retry-After")) <= 86400);
    // Refused items took nothing: one more recipient still fits.
    CHECK(call(h, "POST", "/v1/notifications", k.a,
               R"({"channel":"email","to":"c@example.com","body":"b"})")
              .status == 202);
    SECTION("a batch over the allowance is refused whole") {
        std::string three = R"({"notifications":[)" + two +
                            R"(,{"channel":"email","to":"z@example.com","body":"b"}]})";
        CHECK(call(h, "POST", "/v1/notifications/batch", k.b, three).status == 202);
        CHECK(call(h, "POST", "/v1/notifications/batch", k.b, three).status == 202);
        CHECK(call(h, "POST", "/v1/notifications/batch", k.b, three).status == 202);
        Response b_over = call(h, "POST", "/v1/notifications/batch", k.b, three);
        CHECK(b_over.status == 429);
        CHECK(json::parse(b_over.body)["error"]["field"] == "recipients_per_day");
    }
    SECTION("a replay gives its recipients back") {
        // Reserved at the door (no store read there), given back after the commit.
        auto two_a_day = h.store->create_api_key("small", "send", {"", 2});
        REQUIRE(two_a_day);
        const std::string auth = "Bearer " + *two_a_day;
        const std::string keyed =
            R"({"channel":"email","to":"d@example.com","body":"b","idempotency_key":"k"})";
        for (int i = 0; i < 3; ++i)
            CHECK(call(h, "POST", "/v1/notifications", auth, keyed).status == 202);
        const std::string other = R"({"channel":"email","to":"e@example.com","body":"b"})";
        CHECK(call(h, "POST", "/v1/notifications", auth, other).status == 202);
        CHECK(call(h, "POST", "/v1/notifications", auth, other).status == 429);
    }
}

TEST_CASE("admin changes are in the audit log with the key's name", "[ingest]") {
    test::ApiHarness h("require_api_key = true\n", 0);
    Keys k = make_keys(*h.store);
    REQUIRE(
        call(h, "POST", "/v1/users", k.admin, R"({"id":"u1","email":"u1@example.com"})").status ==
        201);
    REQUIRE(call(h, "PATCH", "/v1/users/u1", k.admin, R"({"name":"U One"})").status == 200);
    // A refused change is not an action.
    REQUIRE(call(h, "POST", "/v1/users", k.admin, R"({"id":"u1"})").status >= 400);
    CHECK(call(h, "POST", "/v1/users", k.a, R"({"id":"u2"})").status == 403);

    auto entries = store::read_audit(*h.store, 0, 100);
    REQUIRE(entries);
    REQUIRE(entries->size() == 2);
    CHECK((*entries)[0].actor == "ops");
    CHECK((*entries)[0].action == "user.add");
    CHECK((*entries)[0].target == "u1");
    // A summary, never the body: the log outlives the user and holds no personal data.
    CHECK((*entries)[0].detail == "fields: email, id");
    CHECK((*entries)[0].detail.find("u1@example.com") == std::string::npos);
    CHECK((*entries)[1].action == "user.update");
    CHECK((*entries)[1].detail == "fields: name");
    CHECK((*entries)[1].detail.find("U One") == std::string::npos);

    Response listed = call(h, "GET", "/v1/audit", k.admin);
    REQUIRE(listed.status == 200);
    json all = json::parse(listed.body)["entries"];
    REQUIRE(all.size() == 2);
    CHECK(all[0]["actor"] == "ops");
    CHECK(all[0]["action"] == "user.add");
    CHECK(call(h, "GET", "/v1/audit", k.read).status == 403);
    CHECK(
        json::parse(call(h, "GET", "/v1/audit", k.admin, {}, {{"since", "now+1h"}}).body)["entries"]
            .empty());
    CHECK(error_code(call(h, "GET", "/v1/audit", k.admin, {}, {{"sinse", "x"}})) ==
          "unknown_filter");
    // Query values are clipped in the answer.
    const std::string huge(5000, 'q');
    Response bad_limit = call(h, "GET", "/v1/audit", k.admin, {}, {{"limit", huge}});
    CHECK(error_code(bad_limit) == "invalid_filter");
    CHECK(bad_limit.body.find(huge) == std::string::npos);
    Response bad_key = call(h, "GET", "/v1/audit", k.admin, {}, {{huge, "1"}});
    CHECK(error_code(bad_key) == "unknown_filter");
    CHECK(bad_key.body.find(huge) == std::string::npos);
}

TEST_CASE("an import is audited by its count, a template by its variant", "[ingest]") {
    test::ApiHarness h("require_api_key = true\n", 0);
    Keys k = make_keys(*h.store);
    REQUIRE(call(h, "POST", "/v1/users/import", k.admin,
                 "{\"id\":\"u7\",\"email\":\"u7@example.com\"}\n", {{"format", "jsonl"}})
                .status == 200);
    REQUIRE(call(h, "PUT", "/v1/templates/welcome", k.admin,
                 R"({"channel":"hook","subject":"hi","text":"secret-token-123"})")
                .status == 201);
    auto entries = store::read_audit(*h.store, 0, 100);
    REQUIRE(entries);
    REQUIRE(entries->size() == 2);
    CHECK((*entries)[0].action == "user.import");
    CHECK((*entries)[0].detail == "1 users");
    CHECK((*entries)[1].action == "template.put");
    CHECK((*entries)[1].detail == "'welcome' for channel 'hook' version 1");
    for (const auto& e : *entries) {
        CHECK(e.detail.find("u7@example.com") == std::string::npos);
        CHECK(e.detail.find("secret-token-123") == std::string::npos);
    }
}

TEST_CASE("a resend counts against the key's recipients a day", "[ingest]") {
    test::ApiHarness h("require_api_key = true\n[api]\nrecipients_per_day = 1\n", 0);
    Keys k = make_keys(*h.store, {"", 2});
    Response a_sent = call(h, "POST", "/v1/notifications", k.a, kSend);
    REQUIRE(a_sent.status == 202);
    const std::string a_path = "/v1/notifications/" + std::string(json::parse(a_sent.body)["id"]);
    // A's day is used up: its resend is refused as a send would be.
    Response over = call(h, "POST", a_path + "/resend", k.a);
    CHECK(over.status == 429);
    CHECK(json::parse(over.body)["error"]["field"] == "recipients_per_day");
    // B has room for one more; a resend the router does not take gives it back.
    Response b_sent = call(h, "POST", "/v1/notifications", k.b, kSend);
    REQUIRE(b_sent.status == 202);
    const std::string b_path = "/v1/notifications/" + std::string(json::parse(b_sent.body)["id"]);
    for (int i = 0; i < 3; ++i)
        CHECK(error_code(call(h, "POST", b_path + "/resend", k.b)) == "router_unavailable");
}
