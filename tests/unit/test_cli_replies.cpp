// Tests for cli/client.cpp without a socket: the request frame, the reply
// decoding, and what each reply means for the exit code and the message; and
// how --wait reads a notification's states.
#include <catch2/catch.hpp>

#include "client.hpp"
#include "outcome.hpp"
#include "wait.hpp"

using namespace notify::cli;

TEST_CASE("replies map to sysexits codes", "[cli]") {
    SECTION("2xx is success") {
        CHECK(exit_code_for_reply(200, "") == 0);
        CHECK(exit_code_for_reply(202, "") == 0);
    }
    SECTION("bad data is 65, or 64 when the request itself was malformed") {
        for (int s : {400, 404, 409, 413, 422})
            CHECK(exit_code_for_reply(s, "invalid_address") == 65);
        CHECK(exit_code_for_reply(400, "usage") == 64);
        CHECK(exit_code_for_reply(400, "unknown_parameter") == 64);
    }
    SECTION("authentication and scope are 77") {
        CHECK(exit_code_for_reply(401, "unauthorized") == 77);
        CHECK(exit_code_for_reply(403, "forbidden") == 77);
    }
    SECTION("try again later is 75") {
        CHECK(exit_code_for_reply(429, "rate_limited") == 75);
        CHECK(exit_code_for_reply(503, "store_unavailable") == 75);
        CHECK(exit_code_for_reply(503, "shutting_down") == 75);
    }
    SECTION("a missing router is 69, anything else 70") {
        CHECK(exit_code_for_reply(503, "router_unavailable") == 69);
        CHECK(exit_code_for_reply(503, "") == 70);
        CHECK(exit_code_for_reply(500, "internal") == 70);
        CHECK(exit_code_for_reply(302, "") == 70);
    }
}

TEST_CASE("error replies become one line naming the field", "[cli]") {
    Reply r;
    r.status = 422;
    r.body = {{"error",
               {{"code", "invalid_address"},
                {"message", "'bob' is not an email address"},
                {"field", "to"}}}};
    CHECK(describe_error(r, "send") == "send: field 'to': 'bob' is not an email address");
    r.body["error"].erase("field");
    CHECK(describe_error(r, "send") == "send: 'bob' is not an email address");
    r.body = nullptr;
    CHECK(describe_error(r, "status 'x'") == "status 'x': notify-ingest answered with status 422");
}

TEST_CASE("request frames have the HTTP shape", "[cli]") {
    Request req{"GET", "/v1/notifications", {{"status", "failed"}}, nullptr};
    auto j = nlohmann::json::parse(encode_request(req));
    CHECK(j["method"] == "GET");
    CHECK(j["path"] == "/v1/notifications");
    CHECK(j["query"] == nlohmann::json{{"status", "failed"}});
    CHECK(j["body"].is_null());

    Request post{"POST", "/v1/notifications", {}, {{"channel", "email"}}};
    j = nlohmann::json::parse(encode_request(post));
    CHECK(j["query"] == nlohmann::json::object());
    CHECK(j["body"]["channel"] == "email");
}

TEST_CASE("reply frames are checked", "[cli]") {
    auto r = decode_reply(R"({"status":202,"body":{"id":"X"}})");
    REQUIRE(r);
    CHECK(r->status == 202);
    CHECK(r->body["id"] == "X");
    CHECK_FALSE(decode_reply("not json"));
    CHECK_FALSE(decode_reply(R"({"body":{}})"));
    CHECK_FALSE(decode_reply(R"({"status":"202"})"));
}

TEST_CASE("ids are escaped in paths", "[cli]") {
    CHECK(path_segment("01JD8X3T6Q4M9V2K7C5B0RZP1A") == "01JD8X3T6Q4M9V2K7C5B0RZP1A");
    CHECK(path_segment("a/b c") == "a%2Fb%20c");
    CHECK(path_segment("../x") == "..%2Fx");
}

TEST_CASE("--wait decides from the counts of every delivery, not the ones listed, and the fan-out",
          "[cli]") {
    using nlohmann::json;
    json listed = json::array({json{{"id", "N.1"}, {"state", "sent"}}});
    json big{{"states", {{"sent", 1500}, {"in-flight", 3}}}, {"deliveries", listed}};
    CHECK_FALSE(notify::has_ended(big));
    big["states"] = {{"sent", 1500}, {"failed", 2}};
    CHECK(notify::has_ended(big));
    CHECK(notify::cli::final_exit_code(big) == notify::cli::exit_wait_failed);
    big["states"] = {{"sent", 1500}, {"suppressed", 9}};
    CHECK(notify::cli::final_exit_code(big) == notify::cli::exit_ok);
    // A fan-out has ended only once it is done, rejected or canceled.
    json fanout{{"states", {{"sent", 10}}}, {"fanout", {{"state", "expanding"}}}};
    CHECK_FALSE(notify::has_ended(fanout));
    fanout["fanout"]["state"] = "done";
    CHECK(notify::has_ended(fanout));
    json nobody{{"states", json::object()}, {"fanout", {{"state", "done"}}}};
    CHECK(notify::has_ended(nobody));
    nobody["fanout"]["state"] = "pending-approval";
    CHECK_FALSE(notify::has_ended(nobody));
    nobody["fanout"]["state"] = "rejected";
    CHECK(notify::has_ended(nobody));
    // Without a fan-out, no delivery at all is not an end.
    CHECK_FALSE(notify::has_ended(json{{"states", json::object()}}));
    json plain{{"deliveries", json::array({json{{"state", "failed"}}})}};
    CHECK(notify::has_ended(plain));
    CHECK(notify::cli::final_exit_code(plain) == notify::cli::exit_wait_failed);
}
