// The inbox routes of the API core (api_inbox.cpp): inbox tokens and API keys,
// pages and cursors, marks and read-all, bad input, and CORS.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "inbox_item.hpp"
#include "inbox_token.hpp"
#include "store/directory_store.hpp"
#include "store/inbox_store.hpp"
#include "test_ingest_harness.hpp"
#include "util/time.hpp"

using namespace notify;
using namespace notify::ingest;
using nlohmann::json;

namespace {

constexpr const char* kSecret = "inbox-test-secret";

const std::string kConfig = std::string(R"(
[inbox]
secret = ")") + kSecret + R"("
cors_origins = ["https://app.example.com"]
)";

struct InboxHarness : test::ApiHarness {
    store::InboxStore inbox;

    InboxHarness() : test::ApiHarness(kConfig), inbox(store->handle()) {
        store::DirectoryStore d(*store);
        for (const char* id : {"ana", "ben"}) {
            store::User u;
            u.id = id;
            u.name = id;
            REQUIRE(d.put_user(u));
        }
    }

    void add(const std::string& id, const std::string& user, const std::string& category,
             Millis at) {
        store::InboxItem i = testing::inbox_item(id, user, category, at);
        i.data_json = R"({"url":"/orders/)" + id + R"("})";
        REQUIRE(inbox.add(i));
    }

    std::string token(const std::string& user, Millis ttl = 60000) {
        return inbox_token(kSecret, user, util::now_ms() + ttl);
    }

    Response call(const std::string& method, const std::string& path, const std::string& auth,
                  std::map<std::string, std::string> query = {},
                  std::map<std::string, std::string> headers = {}) {
        Request r{method, path, std::move(query), {}, auth, false, std::move(headers)};
        return handle(r);
    }
};

std::string code_of(const Response& r) {
    return json::parse(r.body)["error"]["code"];
}

std::string header(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return {};
}

}  // namespace

TEST_CASE("a user's inbox token reads that inbox and no other", "[ingest][inbox]") {
    InboxHarness h;
    h.add("d1", "ana", "", 1000);
    const std::string ana = h.token("ana");

    auto r = h.call("GET", "/v1/inbox/ana", "Bearer " + ana);
    REQUIRE(r.status == 200);
    auto body = json::parse(r.body);
    CHECK(body["user"] == "ana");
    REQUIRE(body["items"].size() == 1);
    CHECK(body["items"][0]["id"] == "d1");
    CHECK(body["items"][0]["data"]["url"] == "/orders/d1");
    CHECK(body["items"][0]["read"] == false);
    CHECK(body["items"][0]["read_at"].is_null());
    CHECK(body["unread"] == 1);
    CHECK(body["next"].is_null());

    // "bearer" in any case; in the query only on the stream (as EventSource
    // must send it), since URLs end up in proxies' logs.
    CHECK(h.call("GET", "/v1/inbox/ana", "bearer " + ana).status == 200);
    CHECK(h.call("GET", "/v1/inbox/ana", "", {{"token", ana}}).status == 401);

    // Another user's inbox, an expired token, a forged one, none at all.
    r = h.call("GET", "/v1/inbox/ben", "Bearer " + ana);
    CHECK(r.status == 401);
    CHECK(code_of(r) == "bad_inbox_token");
    CHECK(header(r, "WWW-Authenticate") == "Bearer");
    r = h.call("GET", "/v1/inbox/ana", "Bearer " + h.token("ana", -1000));
    CHECK(r.status == 401);
    CHECK(code_of(r) == "inbox_token_expired");
    const std::string forged = inbox_token("another-secret", "ana", util::now_ms() + 60000);
    CHECK(code_of(h.call("GET", "/v1/inbox/ana", "Bearer " + forged)) == "bad_inbox_token");
    CHECK(code_of(h.call("GET", "/v1/inbox/ana", "Bearer x.y")) == "bad_inbox_token");
    CHECK(h.call("GET", "/v1/inbox/ana", "").status == 401);
    // A token is no API key: it opens nothing else.
    CHECK(h.call("GET", "/v1/notifications", "Bearer " + ana).status == 401);
}

TEST_CASE("an inbox pages newest first by cursor, by category and archive", "[ingest][inbox]") {
    InboxHarness h;
    for (int i = 1; i <= 5; ++i)
        h.add("d" + std::to_string(i), "ana", i % 2 ? "orders" : "news", i * 1000);
    h.add("b1", "ben", "", 9000);
    const std::string auth = "Bearer " + h.token("ana");

    auto first = json::parse(h.call("GET", "/v1/inbox/ana", auth, {{"limit", "2"}}).body);
    REQUIRE(first["items"].size() == 2);
    CHECK(first["items"][0]["id"] == "d5");
    CHECK(first["items"][1]["id"] == "d4");
    CHECK(first["unread"] == 5);
    REQUIRE(first["next"].is_number());
    auto next = std::to_string(first["next"].get<long>());
    auto second =
        json::parse(h.call("GET", "/v1/inbox/ana", auth, {{"limit", "2"}, {"before", next}}).body);
    CHECK(second["items"][0]["id"] == "d3");
    auto orders = json::parse(h.call("GET", "/v1/inbox/ana", auth, {{"category", "orders"}}).body);
    CHECK(orders["items"].size() == 3);
    CHECK(orders["unread"] == 3);
    auto count = json::parse(h.call("GET", "/v1/inbox/ana", auth, {{"limit", "0"}}).body);
    CHECK(count["items"].empty());
    CHECK(count["unread"] == 5);

    REQUIRE(h.call("POST", "/v1/inbox/ana/items/d2/archive", auth).status == 200);
    auto archived = json::parse(h.call("GET", "/v1/inbox/ana", auth, {{"archived", "true"}}).body);
    REQUIRE(archived["items"].size() == 1);
    CHECK(archived["items"][0]["archived"] == true);
    CHECK(json::parse(h.call("GET", "/v1/inbox/ana", auth).body)["items"].size() == 4);

    // Bad input is 400 with the parameter named.
    for (const auto& [name, value] : std::map<std::string, std::string>{
             {"limit", "1001"}, {"before", "x"}, {"archived", "maybe"}, {"colour", "red"}}) {
        auto r = h.call("GET", "/v1/inbox/ana", auth, {{name, value}});
        CHECK(r.status == 400);
        CHECK(json::parse(r.body)["error"]["field"] == name);
    }
}

TEST_CASE("marks change an item and answer it; read-all marks the rest", "[ingest][inbox]") {
    InboxHarness h;
    h.add("d1", "ana", "orders", 1000);
    h.add("d2", "ana", "news", 2000);
    h.add("d3", "ana", "news", 3000);
    const std::string auth = "Bearer " + h.token("ana");

    auto r = h.call("POST", "/v1/inbox/ana/items/d1/read", auth);
    REQUIRE(r.status == 200);
    auto item = json::parse(r.body);
    CHECK(item["read"] == true);
    CHECK(item["seen"] == true);
    CHECK(item["read_at"].is_string());
    CHECK(json::parse(h.call("GET", "/v1/inbox/ana/items/d1", auth).body)["read"] == true);
    item = json::parse(h.call("POST", "/v1/inbox/ana/items/d1/unread", auth).body);
    CHECK(item["read"] == false);
    CHECK(item["seen"] == true);
    CHECK(json::parse(h.call("POST", "/v1/inbox/ana/items/d2/seen", auth).body)["seen"] == true);

    r = h.call("POST", "/v1/inbox/ana/read-all", auth, {{"category", "news"}});
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["marked"] == 2);
    CHECK(json::parse(r.body)["unread"] == 1);
    r = h.call("POST", "/v1/inbox/ana/read-all", auth);
    CHECK(json::parse(r.body)["marked"] == 1);
    CHECK(json::parse(r.body)["unread"] == 0);

    // Another user's item is not there for ana; nor is an unknown action or method.
    h.add("b1", "ben", "", 4000);
    CHECK(h.call("POST", "/v1/inbox/ana/items/b1/read", auth).status == 404);
    CHECK(h.call("GET", "/v1/inbox/ana/items/nope", auth).status == 404);
    CHECK(h.call("POST", "/v1/inbox/ana/items/d1/delete", auth).status == 404);
    r = h.call("GET", "/v1/inbox/ana/items/d1/read", auth);
    CHECK(r.status == 405);
    CHECK(header(r, "Allow") == "POST");
    CHECK(h.call("DELETE", "/v1/inbox/ana", auth).status == 405);
}

TEST_CASE("API keys reach every inbox by scope; unknown users are 404", "[ingest][inbox]") {
    InboxHarness h;
    h.add("d1", "ana", "", 1000);
    auto read = h.store->create_api_key("dashboard", "read");
    auto send = h.store->create_api_key("app", "send");
    REQUIRE(read);
    REQUIRE(send);

    CHECK(h.call("GET", "/v1/inbox/ana", "Bearer " + *read).status == 200);
    auto r = h.call("POST", "/v1/inbox/ana/items/d1/read", "Bearer " + *read);
    CHECK(r.status == 403);
    CHECK(h.call("POST", "/v1/inbox/ana/items/d1/read", "Bearer " + *send).status == 200);

    r = h.call("GET", "/v1/inbox/zoe", "Bearer " + *read);
    CHECK(r.status == 404);
    CHECK(json::parse(r.body)["error"]["message"].get<std::string>().find("zoe") !=
          std::string::npos);
    // A token for a user who is not (or no longer) in the directory.
    CHECK(h.call("GET", "/v1/inbox/zoe", "Bearer " + h.token("zoe")).status == 404);
}

TEST_CASE("pages on the configured origins may call the inbox", "[ingest][inbox]") {
    InboxHarness h;
    const std::map<std::string, std::string> app = {{"origin", "https://app.example.com"}};
    const std::map<std::string, std::string> other = {{"origin", "https://evil.example"}};

    auto pre = h.call("OPTIONS", "/v1/inbox/ana", "", {}, app);
    CHECK(pre.status == 204);
    CHECK(header(pre, "Access-Control-Allow-Origin") == "https://app.example.com");
    CHECK(header(pre, "Access-Control-Allow-Headers").find("Authorization") != std::string::npos);
    CHECK(header(pre, "Access-Control-Allow-Methods") == "GET, POST");

    pre = h.call("OPTIONS", "/v1/inbox/ana", "", {}, other);
    CHECK(pre.status == 204);
    CHECK(header(pre, "Access-Control-Allow-Origin").empty());

    // Every answer, an error too, names the origin so the page can read it.
    auto r = h.call("GET", "/v1/inbox/ana", "Bearer " + h.token("ana"), {}, app);
    CHECK(r.status == 200);
    CHECK(header(r, "Access-Control-Allow-Origin") == "https://app.example.com");
    r = h.call("GET", "/v1/inbox/ana", "Bearer " + h.token("ben"), {}, app);
    CHECK(r.status == 401);
    CHECK(header(r, "Access-Control-Allow-Origin") == "https://app.example.com");
    CHECK(header(h.call("GET", "/v1/inbox/ana", "Bearer " + h.token("ana"), {}, other),
                 "Access-Control-Allow-Origin")
              .empty());
    // Other routes are not opened to pages.
    CHECK(header(h.call("GET", "/v1/queue", "", {}, app), "Access-Control-Allow-Origin").empty());
}

TEST_CASE("a user id is taken from the path percent-decoded", "[ingest][inbox]") {
    InboxHarness h;
    store::DirectoryStore d(*h.store);
    store::User u;
    u.id = "li@corp";
    REQUIRE(d.put_user(u));
    h.add("d1", "li@corp", "", 1000);
    const std::string auth = "Bearer " + h.token("li@corp");
    auto r = h.call("GET", "/v1/inbox/li%40corp", auth);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["user"] == "li@corp");
    CHECK(h.call("GET", "/v1/inbox/li@corp", auth).status == 200);
    CHECK(h.call("POST", "/v1/inbox/li%40corp/items/d1/read", auth).status == 200);
    r = h.call("GET", "/v1/inbox/li%4", auth);
    CHECK(r.status == 400);
    CHECK(code_of(r) == "invalid_path");
}

TEST_CASE("one user's token requests are limited, not another's", "[ingest][inbox]") {
    InboxHarness h;
    const std::string ana = "Bearer " + h.token("ana");
    for (long i = 0; i < kInboxUserRequests; ++i)
        REQUIRE(h.call("GET", "/v1/inbox/ana", ana, {{"limit", "0"}}).status == 200);
    auto r = h.call("GET", "/v1/inbox/ana", ana, {{"limit", "0"}});
    CHECK(r.status == 429);
    CHECK(code_of(r) == "rate_limited");
    const auto retry = std::stol(header(r, "Retry-After"));
    CHECK(retry >= 1);
    CHECK(retry <= kInboxUserWindow / 1000);
    CHECK(h.call("GET", "/v1/inbox/ben", "Bearer " + h.token("ben")).status == 200);
}

TEST_CASE("request windows forget keys whose window ended", "[ingest][inbox]") {
    RequestWindows limit(2, 1000);
    for (std::size_t i = 0; i < RequestWindows::kTracked; ++i)
        REQUIRE_FALSE(limit.admit("u" + std::to_string(i), 0));
    CHECK(limit.tracked() == RequestWindows::kTracked);
    CHECK_FALSE(limit.admit("u1", 500));
    CHECK(limit.admit("u1", 600) == 1);  // the third in its window: a second to wait
    // One more key once every window has ended: the old ones go.
    CHECK_FALSE(limit.admit("new", 1000));
    CHECK(limit.tracked() == 1);
}
