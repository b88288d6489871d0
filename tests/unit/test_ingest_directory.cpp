// test_ingest_directory.cpp - /v1/users and /v1/groups through the API core,
// against an in-memory store (no sockets).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <optional>

#include "api.hpp"
#include "store/directory_store.hpp"
#include "test_ingest_harness.hpp"

using namespace notify;
using namespace notify::ingest;
using nlohmann::json;

namespace {

struct Directory : notify::ingest::test::ApiHarness {
    Directory() : ApiHarness("require_api_key = false\n") {}

    Response call(const std::string& method, const std::string& path, const std::string& body = {},
                  std::map<std::string, std::string> query = {}) {
        return handle({method, path, std::move(query), body, {}, false, {}});
    }
};

json body(const Response& r) {
    return json::parse(r.body);
}

std::string code(const Response& r) {
    return body(r)["error"]["code"];
}

}  // namespace

TEST_CASE("API: create, read, replace, patch and delete a user", "[directory]") {
    Directory h;
    Response c = h.call("POST", "/v1/users",
                        R"({"id":"ann","name":"Ann","email":"ann@example.com","groups":["ops"],
                            "identities":{"wecom":"ANN01"},"attributes":{"plan":"pro"}})");
    REQUIRE(c.status == 201);
    CHECK(body(c)["groups"] == json::array({"ops"}));
    CHECK(body(c)["unsubscribed_at"].is_null());

    Response again = h.call("POST", "/v1/users", R"({"id":"ann"})");
    CHECK(again.status == 409);
    CHECK(code(again) == "already_exists");

    Response typo = h.call("POST", "/v1/users", R"({"id":"bob","emial":"bob@example.com"})");
    CHECK(typo.status == 400);
    CHECK(code(typo) == "unknown_field");
    CHECK(body(typo)["error"]["message"] == "unknown field 'emial', did you mean 'email'?");
    CHECK(body(typo)["error"]["field"] == "emial");
    Response bad = h.call("POST", "/v1/users", R"({"id":"bob","phone":"12345"})");
    CHECK(bad.status == 400);
    CHECK(body(bad)["error"]["field"] == "phone");

    Response g = h.call("GET", "/v1/users/ann");
    REQUIRE(g.status == 200);
    CHECK(body(g)["identities"] == json{{"wecom", "ANN01"}});
    CHECK(h.call("GET", "/v1/users/nobody").status == 404);

    SECTION("PATCH merges into the record") {
        Response p = h.call("PATCH", "/v1/users/ann",
                            R"({"name":"Ann Smith","email":null,"attributes":{"tier":"gold"}})");
        REQUIRE(p.status == 200);
        json u = body(p);
        CHECK(u["name"] == "Ann Smith");
        CHECK(u["email"] == "");
        CHECK(u["attributes"] == json{{"plan", "pro"}, {"tier", "gold"}});
        CHECK(u["groups"] == json::array({"ops"}));  // not in the patch: kept
        Response mismatch = h.call("PATCH", "/v1/users/ann", R"({"id":"bob"})");
        CHECK(mismatch.status == 400);
        CHECK(code(mismatch) == "id_mismatch");
        CHECK(h.call("PATCH", "/v1/users/nobody", "{}").status == 404);
        CHECK(code(h.call("PATCH", "/v1/users/ann", R"({"nmae":"x"})")) == "unknown_field");
    }
    SECTION("PUT replaces whole, or creates") {
        Response p = h.call("PUT", "/v1/users/ann", R"({"name":"A","groups":["vip"]})");
        REQUIRE(p.status == 200);
        CHECK(body(p)["email"] == "");
        CHECK(body(p)["identities"] == json::object());
        CHECK(body(p)["groups"] == json::array({"vip"}));
        CHECK(h.call("PUT", "/v1/users/cat", R"({"name":"Cat"})").status == 201);
    }
    SECTION("DELETE") {
        Response d = h.call("DELETE", "/v1/users/ann");
        CHECK(d.status == 200);
        CHECK(body(d) == json{{"id", "ann"}, {"deleted", true}});
        CHECK(h.call("DELETE", "/v1/users/ann").status == 404);
    }
    SECTION("methods a route does not take") {
        Response m = h.call("POST", "/v1/users/ann");
        CHECK(m.status == 405);
        CHECK(h.call("GET", "/v1/users/ann/elsewhere").status == 404);
    }
}

TEST_CASE("API: a user's quiet hours", "[directory]") {
    Directory h;
    auto quiet_hours = [&](const Response& r) { return body(r)["quiet_hours"]; };
    Response c = h.call("POST", "/v1/users",
                        R"({"id":"ann","timezone":"Asia/Shanghai","quiet_hours":" 9:00 - 18:00"})");
    REQUIRE(c.status == 201);
    CHECK(quiet_hours(c) == "09:00-18:00");
    CHECK(quiet_hours(h.call("GET", "/v1/users/ann")) == "09:00-18:00");
    CHECK(body(h.call("GET", "/v1/users"))["users"][0]["quiet_hours"] == "09:00-18:00");
    Response none = h.call("POST", "/v1/users", R"({"id":"bob"})");
    REQUIRE(none.status == 201);
    CHECK(quiet_hours(none) == "");  // always in the answer: "" follows the default

    Response off = h.call("PATCH", "/v1/users/ann", R"({"quiet_hours":"Off"})");
    REQUIRE(off.status == 200);
    CHECK(quiet_hours(off) == "off");
    CHECK(body(off)["timezone"] == "Asia/Shanghai");
    Response window = h.call("PATCH", "/v1/users/ann", R"({"quiet_hours":"22:00-7:30"})");
    CHECK(quiet_hours(window) == "22:00-07:30");
    CHECK(quiet_hours(h.call("PATCH", "/v1/users/ann", R"({"quiet_hours":null})")) == "");
    CHECK(quiet_hours(h.call("PATCH", "/v1/users/ann", R"({"quiet_hours":"off"})")) == "off");
    Response put = h.call("PUT", "/v1/users/ann", R"({"timezone":"UTC"})");
    REQUIRE(put.status == 200);
    CHECK(quiet_hours(put) == "");  // replaced whole

    Response bad = h.call("POST", "/v1/users", R"({"id":"cat","quiet_hours":"25:00-07:00"})");
    CHECK(bad.status == 400);
    CHECK(code(bad) == "invalid_quiet_hours");
    CHECK(body(bad)["error"]["field"] == "quiet_hours");
    CHECK(body(bad)["error"]["message"].get<std::string>().find(
              "quiet_hours: '25:00-07:00' is not HH:MM-HH:MM") == 0);
    CHECK(h.call("GET", "/v1/users/cat").status == 404);
    Response patch = h.call("PATCH", "/v1/users/bob", R"({"quiet_hours":"08:00-08:00"})");
    CHECK(patch.status == 400);
    CHECK(code(patch) == "invalid_quiet_hours");
    CHECK(body(patch)["error"]["field"] == "quiet_hours");
    Response number = h.call("PUT", "/v1/users/bob", R"({"quiet_hours":2200})");
    CHECK(number.status == 400);
    CHECK(body(number)["error"]["field"] == "quiet_hours");
    CHECK(quiet_hours(h.call("GET", "/v1/users/bob")) == "");
}

TEST_CASE("API: list users with filters and a cursor", "[directory]") {
    Directory h;
    for (const char* id : {"u1", "u2", "u3"})
        REQUIRE(h.call("POST", "/v1/users",
                       json{{"id", id}, {"module", "crm"}, {"groups", {"all"}}}.dump())
                    .status == 201);
    Response l = h.call("GET", "/v1/users", {}, {{"group", "all"}, {"limit", "2"}});
    REQUIRE(l.status == 200);
    json page = body(l);
    REQUIRE(page["users"].size() == 2);
    CHECK(page["next_cursor"] == "u2");
    json rest = body(h.call("GET", "/v1/users", {}, {{"cursor", "u2"}, {"module", "crm"}}));
    REQUIRE(rest["users"].size() == 1);
    CHECK(rest["users"][0]["id"] == "u3");
    CHECK(rest["next_cursor"].is_null());
    Response unknown = h.call("GET", "/v1/users", {}, {{"grup", "all"}});
    CHECK(unknown.status == 400);
    CHECK(body(unknown)["error"]["message"] == "unknown parameter 'grup', did you mean 'group'?");
    CHECK(h.call("GET", "/v1/users", {}, {{"group", "nope"}}).status == 404);
    CHECK(code(h.call("GET", "/v1/users", {}, {{"limit", "0"}})) == "invalid_filter");
}

TEST_CASE("API: preferences of a user", "[directory]") {
    Directory h;
    REQUIRE(h.call("POST", "/v1/users", R"({"id":"ann"})").status == 201);
    Response p = h.call("PUT", "/v1/users/ann/preferences",
                        R"({"category":"marketing","channel":"sms","opted_out":true})");
    REQUIRE(p.status == 200);
    json prefs = body(p);
    CHECK(prefs["user"] == "ann");
    REQUIRE(prefs["preferences"].size() == 1);
    CHECK(prefs["preferences"][0]["category"] == "marketing");
    CHECK(prefs["preferences"][0]["opted_out"] == true);
    CHECK(code(h.call("PUT", "/v1/users/ann/preferences", R"({"category":"x"})")) ==
          "missing_field");
    CHECK(code(h.call("PUT", "/v1/users/ann/preferences", R"({"opted_out":"yes"})")) ==
          "invalid_field");
    CHECK(code(h.call("PUT", "/v1/users/ann/preferences", R"({"opted_out":true,"chanel":""})")) ==
          "unknown_field");
    CHECK(h.call("PUT", "/v1/users/bob/preferences", R"({"opted_out":true})").status == 404);
    CHECK(body(h.call("GET", "/v1/users/ann/preferences"))["preferences"].size() == 1);
}

TEST_CASE("API: import is all or nothing", "[directory]") {
    Directory h;
    std::string csv =
        "id,email,groups\n"
        "a1,a1@example.com,staff\n"
        "a2,not-an-address,staff\n"
        "a3,a3@example.com,staff\n";
    Response r = h.call("POST", "/v1/users/import", csv, {{"format", "csv"}});
    REQUIRE(r.status == 422);
    json err = body(r)["error"];
    CHECK(err["code"] == "invalid_rows");
    REQUIRE(err["lines"].size() == 1);
    CHECK(err["lines"][0]["line"] == 3);
    CHECK(err["lines"][0]["message"].get<std::string>().find("'not-an-address'") !=
          std::string::npos);
    CHECK(body(h.call("GET", "/v1/users"))["users"].empty());

    Response skip =
        h.call("POST", "/v1/users/import", csv, {{"format", "csv"}, {"skip_bad", "true"}});
    REQUIRE(skip.status == 200);
    CHECK(body(skip)["imported"] == 2);
    CHECK(body(skip)["errors"].size() == 1);
    CHECK(body(h.call("GET", "/v1/groups/staff"))["members"] == 2);

    Response jsonl = h.call("POST", "/v1/users/import", "{\"id\":\"j1\"}\n{\"id\":\"j2\"}\n");
    CHECK(jsonl.status == 200);
    CHECK(body(jsonl)["imported"] == 2);
    CHECK(code(h.call("POST", "/v1/users/import", "", {{"format", "xml"}})) == "invalid_parameter");
    Response header = h.call("POST", "/v1/users/import", "id,mail\n", {{"format", "csv"}});
    CHECK(header.status == 400);
    CHECK(code(header) == "unknown_field");
}

TEST_CASE("API: groups and their members", "[directory]") {
    Directory h;
    for (const char* id : {"a", "b", "c"})
        REQUIRE(h.call("POST", "/v1/users", json{{"id", id}}.dump()).status == 201);
    Response c = h.call("POST", "/v1/groups",
                        R"({"name":"ops","description":"on call","requires_approval":true})");
    REQUIRE(c.status == 201);
    CHECK(body(c)["requires_approval"] == true);
    CHECK(h.call("POST", "/v1/groups", R"({"name":"ops"})").status == 409);
    CHECK(code(h.call("POST", "/v1/groups", R"({"name":"x","descripton":""})")) == "unknown_field");
    CHECK(code(h.call("POST", "/v1/groups", R"({"description":"no name"})")) == "missing_field");

    Response add = h.call("POST", "/v1/groups/ops/members", R"({"users":["c","a","b"]})");
    REQUIRE(add.status == 200);
    CHECK(body(add)["members"] == 3);
    Response unknown = h.call("POST", "/v1/groups/ops/members", R"({"users":["zed"]})");
    CHECK(unknown.status == 422);
    CHECK(code(unknown) == "unknown_user");
    CHECK(h.call("POST", "/v1/groups/dev/members", R"({"users":["a"]})").status == 404);

    json page = body(h.call("GET", "/v1/groups/ops/members", {}, {{"limit", "2"}}));
    CHECK(page["members"] == json::array({"a", "b"}));
    CHECK(page["next_cursor"] == "b");
    page = body(h.call("GET", "/v1/groups/ops/members", {}, {{"cursor", "b"}}));
    CHECK(page["members"] == json::array({"c"}));
    CHECK(page["next_cursor"].is_null());

    Response rm = h.call("DELETE", "/v1/groups/ops/members", R"({"users":["a"]})");
    CHECK(body(rm)["members"] == 2);
    Response put = h.call("PUT", "/v1/groups/ops", R"({"description":"changed"})");
    REQUIRE(put.status == 200);
    CHECK(body(put)["requires_approval"] == false);
    CHECK(body(put)["members"] == 2);
    CHECK(body(h.call("GET", "/v1/groups"))["groups"].size() == 1);
    CHECK(h.call("DELETE", "/v1/groups/ops").status == 200);
    CHECK(h.call("GET", "/v1/groups/ops").status == 404);
    CHECK(body(h.call("GET", "/v1/users/a"))["groups"].empty());
}

TEST_CASE("API: a user's several addresses on a channel", "[directory]") {
    Directory h;
    Response p = h.call("PUT", "/v1/users/ann", R"({"addresses":{"hook":["https://127.0.0.1/a",
                                                     "https://127.0.0.1/b"]}})");
    REQUIRE(p.status == 201);
    CHECK(body(p)["identities"] == json{{"hook", "https://127.0.0.1/b"}});
    CHECK(body(p)["addresses"]["hook"] ==
          json::array({"https://127.0.0.1/a", "https://127.0.0.1/b"}));

    // A PATCH of identities.CH gives the channel anew; of addresses.CH too.
    Response one =
        h.call("PATCH", "/v1/users/ann", R"({"identities":{"hook":"https://127.0.0.1/c"}})");
    REQUIRE(one.status == 200);
    CHECK(body(one)["addresses"]["hook"] == json::array({"https://127.0.0.1/c"}));
    Response two =
        h.call("PATCH", "/v1/users/ann",
               R"({"addresses":{"hook":["https://127.0.0.1/c","https://127.0.0.1/d"]}})");
    REQUIRE(two.status == 200);
    CHECK(body(two)["addresses"]["hook"].size() == 2);

    // The identities and addresses GET gives, PUT back, give the same addresses.
    json got = body(h.call("GET", "/v1/users/ann"));
    Response again =
        h.call("PUT", "/v1/users/ann",
               json{{"identities", got["identities"]}, {"addresses", got["addresses"]}}.dump());
    REQUIRE(again.status == 200);
    CHECK(body(again)["addresses"] == body(two)["addresses"]);

    // identities naming an address that addresses does not list is refused.
    Response apart = h.call("PUT", "/v1/users/ann", R"({"identities":{"hook":"https://127.0.0.1/z"},
                                                       "addresses":{"hook":["https://127.0.0.1/c"]}})");
    CHECK(apart.status == 400);
    CHECK(body(apart)["error"]["field"] == "identities.hook");
}
