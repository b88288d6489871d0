// Tests for the webhook payload: the JSON body's fields and the signature that
// receivers verify.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "channels/webhook_payload.hpp"

using namespace notify;

TEST_CASE("webhook signature") {
    // Expected values computed independently:
    //   printf '%s' '1700000000.{"id":"01J0000000000000000000000.1","body":"héllo"}' |
    //     openssl dgst -sha256 -hmac whsec_test
    CHECK(channels::webhook_signature(
              "whsec_test", "1700000000",
              "{\"id\":\"01J0000000000000000000000.1\",\"body\":\"h\xC3\xA9llo\"}") ==
          "sha256=f4982b91303656a54954d9039c20db1e79dd5dbb52cc1997a0cf47294bae5623");
    //   printf '%s' '1700000000.' | openssl dgst -sha256 -hmac k
    CHECK(channels::webhook_signature("k", "1700000000", "") ==
          "sha256=5c2999a43333a6877f49c8003f235c4f6de40f85b1b7414b70bd470a8db53d97");
    CHECK(channels::webhook_signature("k", "1700000001", "") !=
          channels::webhook_signature("k", "1700000000", ""));
}

TEST_CASE("webhook body") {
    wire::Job job;
    job.delivery_id = "01JABC.2";
    job.notification_id = "01JABC";
    job.channel = "ops";
    job.subject = "Deploy done";
    job.body = "build 42 is live";
    job.priority = Priority::high;
    job.created_at = 1700000000000;
    job.attempt = 3;

    SECTION("the fields, with empty optional ones left out") {
        auto j = nlohmann::json::parse(channels::webhook_body(job));
        CHECK(j["id"] == "01JABC.2");
        CHECK(j["notification_id"] == "01JABC");
        CHECK(j["channel"] == "ops");
        CHECK(j["subject"] == "Deploy done");
        CHECK(j["body"] == "build 42 is live");
        CHECK(j["priority"] == "high");
        CHECK(j["created_at"] == "2023-11-14T22:13:20Z");
        CHECK(j["attempt"] == 3);
        CHECK_FALSE(j.contains("to"));
        CHECK_FALSE(j.contains("data"));
        CHECK_FALSE(j.contains("category"));
        CHECK_FALSE(j.contains("module"));
    }
    SECTION("data is embedded as an object, and set fields appear") {
        job.to = "https-team";
        job.data_json = R"({"build":42,"tags":["a","b"]})";
        job.category = "deploy";
        job.module = "ci";
        auto j = nlohmann::json::parse(channels::webhook_body(job));
        CHECK(j["to"] == "https-team");
        REQUIRE(j["data"].is_object());
        CHECK(j["data"]["build"] == 42);
        CHECK(j["data"]["tags"][1] == "b");
        CHECK(j["category"] == "deploy");
        CHECK(j["module"] == "ci");
    }
    SECTION("the body starts with the delivery id, in a stable order") {
        CHECK(channels::webhook_body(job).rfind("{\"id\":\"01JABC.2\",\"notification_id\"", 0) ==
              0);
    }
}
