// Tests for the onebot adapter against a OneBot v11 HTTP API played on
// 127.0.0.1: private and group messages field by field, recipients, replies of
// each outcome class, and settings errors naming provider and key.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_channel_support.hpp"

using namespace notify;
using namespace notify::test;
using nlohmann::json;

TEST_CASE("onebot sends private and group messages", "[onebot]") {
    VendorMock mock([](const MockRequest&) {
        return MockReply{200, R"({"status":"ok","retcode":0,"data":{"message_id":123456}})"};
    });
    json settings = {{"type", "onebot"}, {"endpoint", mock.base() + "/"}};
    SECTION("a private message with a token") {
        settings["access_token"] = "tok-1";
        auto a = test::run_attempt(*adapter_of("qq", settings),
                                   job_to("1000010000", "Disk", "full & [CQ:face,id=1]"));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id == "123456");
        CHECK(a.code == "retcode:0");
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].method == "POST");
        CHECK(rs[0].target == "/send_private_msg");
        CHECK(rs[0].header("Authorization") == "Bearer tok-1");
        CHECK(rs[0].header("Content-Type") == "application/json");
        json b = json::parse(rs[0].body);
        CHECK(b == json{{"user_id", 1000010000LL},
                        {"message", "Disk\nfull & [CQ:face,id=1]"},
                        {"auto_escape", true}});
        CHECK(b["user_id"].is_number_integer());
    }
    SECTION("a group message without a token, CQ codes allowed") {
        settings["auto_escape"] = false;
        auto a = test::run_attempt(*adapter_of("qq", settings),
                                   job_to("group/123456", "", "hello [CQ:at,qq=all]"));
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].target == "/send_group_msg");
        CHECK(rs[0].header("Authorization") == "<missing>");
        CHECK(json::parse(rs[0].body) == json{{"group_id", 123456},
                                              {"message", "hello [CQ:at,qq=all]"},
                                              {"auto_escape", false}});
    }
    SECTION("invalid UTF-8 in the text goes out replaced, nothing thrown") {
        channels::Attempt a;
        REQUIRE_NOTHROW(
            a = test::run_attempt(*adapter_of("qq", settings), job_to("10001", "", "x\xC3")));
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(json::parse(rs[0].body)["message"] == "x\xEF\xBF\xBD");
    }
    SECTION("a payload of segments") {
        wire::Job job = job_to("10001", "s", "b");
        job.payload = R"([{"type":"text","data":{"text":"hi"}},{"type":"face","data":{"id":"1"}}])";
        auto a = test::run_attempt(*adapter_of("qq", settings), job);
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(json::parse(rs[0].body) ==
              json{{"user_id", 10001}, {"message", json::parse(job.payload)}});
    }
}

TEST_CASE("onebot refuses recipients it cannot address", "[onebot]") {
    VendorMock mock([](const MockRequest&) {
        return MockReply{200, R"({"status":"ok","retcode":0})"};
    });
    auto adapter = adapter_of("qq", json{{"type", "onebot"}, {"endpoint", mock.base()}});
    std::string to = GENERATE("", "abc", "group/", "group/12a", "-5", "0", "private/123",
                              "1234567890123456789012");
    auto a = test::run_attempt(*adapter, job_to(to, "", "hi"));
    INFO("to '" << to << "'");
    CHECK(a.outcome == wire::Outcome::permanent);
    CHECK(a.code == "invalid_recipient");
    CHECK(mock.requests().empty());
}

TEST_CASE("onebot outcomes", "[onebot]") {
    struct Case {
        int status;
        std::string body;
        wire::Outcome outcome;
        std::string code;
        std::string message;  // a part of it
    };
    Case c = GENERATE(
        Case{200, R"({"status":"async","retcode":1,"data":null})", wire::Outcome::sent, "async",
             ""},
        Case{200, R"({"status":"failed","retcode":100,"msg":"INVALID","wording":"bad user_id"})",
             wire::Outcome::permanent, "retcode:100", "bad user_id"},
        Case{200, R"({"status":"failed","retcode":1200,"message":"send timeout","wording":""})",
             wire::Outcome::retryable, "retcode:1200", "send timeout"},
        Case{200, "not json", wire::Outcome::retryable, "invalid_reply", "not json"},
        Case{401, "", wire::Outcome::permanent, "401", "access token"},
        Case{403, "", wire::Outcome::permanent, "403", "refused the access token"},
        Case{404, "", wire::Outcome::permanent, "404", "does not know the action"},
        Case{406, "", wire::Outcome::permanent, "406", "content type"},
        Case{400, "", wire::Outcome::permanent, "400", "could not read"},
        Case{502, "bad gateway", wire::Outcome::retryable, "502", "bad gateway"});
    VendorMock mock([&](const MockRequest&) { return MockReply{c.status, c.body}; });
    auto a =
        test::run_attempt(*adapter_of("qq", json{{"type", "onebot"}, {"endpoint", mock.base()}}),
                          job_to("10001", "", "hi"));
    INFO(c.status << " " << c.body);
    CHECK(a.outcome == c.outcome);
    CHECK(a.code == c.code);
    CHECK(a.message.find(c.message) != std::string::npos);
}

TEST_CASE("onebot cuts a long reply on a character boundary", "[onebot]") {
    // "\xc3\xa9" (e acute) takes bytes 200 and 201 of the reply.
    std::string body = std::string(199, 'x') + "\xc3\xa9" + std::string(50, 'y');
    VendorMock mock([&](const MockRequest&) { return MockReply{200, body}; });
    auto a =
        test::run_attempt(*adapter_of("qq", json{{"type", "onebot"}, {"endpoint", mock.base()}}),
                          job_to("10001", "", "hi"));
    CHECK(a.code == "invalid_reply");
    CHECK(a.message.find('\xc3') == std::string::npos);
    CHECK(a.message.find(std::string(199, 'x') + "...(52 bytes more)") != std::string::npos);
}

TEST_CASE("onebot settings errors name the provider and the key", "[onebot]") {
    json s = {{"type", "onebot"}, {"endpoint", "http://127.0.0.1:5700"}};
    REQUIRE(channels::validate_provider(provider_of("qq", s)));
    SECTION("no endpoint") {
        s.erase("endpoint");
        check_invalid(provider_of("qq", s), "endpoint", "'endpoint' is missing");
    }
    SECTION("endpoint scheme") {
        s["endpoint"] = "ws://127.0.0.1:6700";
        check_invalid(provider_of("qq", s), "endpoint",
                      "'endpoint' must start with http:// or https://");
    }
    SECTION("auto_escape not a boolean") {
        s["auto_escape"] = "yes";
        check_invalid(provider_of("qq", s), "auto_escape", "'auto_escape' must be true or false");
    }
    SECTION("token from a missing file") {
        s["access_token"] = "file:/nonexistent/notify-onebot-token";
        check_invalid(provider_of("qq", s), "access_token", "'access_token': ");
    }
    SECTION("unknown key") {
        s["acess_token"] = "x";
        check_invalid(provider_of("qq", s), "acess_token", "did you mean 'access_token'?");
    }
}
