// Tests for the dingtalk-robot adapter: the custom robot's signature (the
// self-computed vectors of the provider reference), requests checked field by
// field against a mock of the vendor on 127.0.0.1, each class of vendor code,
// long texts and bad settings.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "channels/dingtalk_sign.hpp"
#include "test_channel_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using namespace notify::test;
using nlohmann::json;

namespace {

MockReply ok_reply() {
    return test::errcode_reply("0", "ok");
}

// The robot's sign recomputed here from the documented algorithm: base64 of
// HMAC-SHA256(key = secret, "timestamp\nsecret"), with the three characters
// base64 uses outside [A-Za-z0-9] written as %XX.
std::string expected_sign(const std::string& secret, const std::string& timestamp) {
    std::string b64 = util::base64(util::hmac_sha256(secret, timestamp + "\n" + secret));
    std::string out;
    for (char c : b64) {
        if (c == '+')
            out += "%2B";
        else if (c == '/')
            out += "%2F";
        else if (c == '=')
            out += "%3D";
        else
            out += c;
    }
    return out;
}

}  // namespace

TEST_CASE("dingtalk robot sign matches the self-computed vectors", "[dingtalk]") {
    CHECK(channels::dingtalk_robot_sign("this is secret", 1700000000000) ==
          "sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D");
    CHECK(channels::dingtalk_robot_sign(
              "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd", 1599360473000) ==
          "LakaO1dOiKvWH9rT5fL9OUVg9G573lHd1yht89XjDu0%3D");
    CHECK(channels::dingtalk_robot_sign("this is secret", 1700000000001) !=
          channels::dingtalk_robot_sign("this is secret", 1700000000000));
}

TEST_CASE("dingtalk robot request", "[dingtalk]") {
    VendorMock mock([](const MockRequest&) { return ok_reply(); });
    const std::string secret = "SECf00dfeed";

    SECTION("a signed text message mentioning a mobile number") {
        auto adapter = adapter_of(
            provider_of("ops-robot", "dingtalk-robot",
                        {{"endpoint", mock.base()}, {"token", "tok/en+1"}, {"secret", secret}}));
        auto a = test::run_attempt(*adapter, job_to("+8613800138000", "Disk full", "db1 at 95%"));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.code == "0");
        CHECK(a.detail.empty());
        auto reqs = mock.requests();
        REQUIRE(reqs.size() == 1);
        const MockRequest& r = reqs[0];
        CHECK(r.method == "POST");
        CHECK(r.path() == "/robot/send");
        CHECK(r.query("access_token") == "tok%2Fen%2B1");
        const std::string ts = r.query("timestamp");
        REQUIRE(ts.find_first_not_of("0123456789") == std::string::npos);
        REQUIRE_FALSE(ts.empty());
        CHECK(std::llabs(std::stoll(ts) - util::now_ms()) < 60000);
        CHECK(r.query("sign") == expected_sign(secret, ts));
        CHECK(r.header("Content-Type").rfind("application/json", 0) == 0);
        json body = json::parse(r.body);
        CHECK(body.size() == 3);
        CHECK(body["msgtype"] == "text");
        CHECK(body["text"]["content"] == "Disk full\n\ndb1 at 95%\n@13800138000");
        CHECK(body["at"]["atMobiles"] == json::array({"13800138000"}));
        CHECK(body["at"]["atUserIds"] == json::array());
        CHECK(body["at"]["isAtAll"] == false);
    }

    SECTION("a mobile already in the text is not added again") {
        auto adapter = adapter_of(provider_of("ops-robot", "dingtalk-robot",
                                              {{"endpoint", mock.base()}, {"token", "t"}}));
        test::run_attempt(*adapter, job_to("13800138000", "", "ping @13800138000 now"));
        auto reqs = mock.requests();
        REQUIRE(reqs.size() == 1);
        CHECK(reqs[0].query("timestamp") == "<missing>");  // no secret, no signature
        CHECK(reqs[0].query("sign") == "<missing>");
        json body = json::parse(reqs[0].body);
        CHECK(body["text"]["content"] == "ping @13800138000 now");
        CHECK(body["at"]["atMobiles"] == json::array({"13800138000"}));
    }

    SECTION("markdown to a user id takes the subject as title, else the title key") {
        auto adapter = adapter_of(provider_of("ops-robot", "dingtalk-robot",
                                              {{"endpoint", mock.base()},
                                               {"token", "t"},
                                               {"msgtype", "markdown"},
                                               {"title", "Ops"}}));
        test::run_attempt(*adapter, job_to("manager7", "Deploy done", "**v2** is live"));
        test::run_attempt(*adapter, job_to("", "", "# no subject"));
        auto reqs = mock.requests();
        REQUIRE(reqs.size() == 2);
        json first = json::parse(reqs[0].body);
        CHECK(first["msgtype"] == "markdown");
        CHECK(first["markdown"]["title"] == "Deploy done");
        CHECK(first["markdown"]["text"] == "**v2** is live");
        CHECK(first["at"]["atUserIds"] == json::array({"manager7"}));
        CHECK(first["at"]["atMobiles"] == json::array());
        json second = json::parse(reqs[1].body);
        CHECK(second["markdown"]["title"] == "Ops");
        CHECK(second["at"]["atUserIds"] == json::array());
        CHECK(second["at"]["isAtAll"] == false);
    }

    SECTION("@all mentions everyone") {
        auto adapter = adapter_of(provider_of("ops-robot", "dingtalk-robot",
                                              {{"endpoint", mock.base()}, {"token", "t"}}));
        test::run_attempt(*adapter, job_to("@all", "", "fire drill at 3pm"));
        auto reqs = mock.requests();
        REQUIRE(reqs.size() == 1);
        json body = json::parse(reqs[0].body);
        CHECK(body["text"]["content"] == "fire drill at 3pm");
        CHECK(body["at"]["isAtAll"] == true);
        CHECK(body["at"]["atMobiles"] == json::array());
    }

    SECTION("a payload is the message, with the mention added") {
        auto adapter = adapter_of(provider_of("ops-robot", "dingtalk-robot",
                                              {{"endpoint", mock.base()}, {"token", "t"}}));
        wire::Job job = job_to("manager7", "ignored", "ignored");
        job.payload =
            R"({"msgtype":"actionCard","actionCard":{"title":"Build 42",)"
            R"("text":"### passed","singleTitle":"Open","singleURL":"https://ci.example.com/42"}})";
        auto a = test::run_attempt(*adapter, job);
        CHECK(a.outcome == wire::Outcome::sent);
        job.to = "";
        test::run_attempt(*adapter, job);
        job.to = "13800138000";
        job.payload = R"({"msgtype":"text","text":{"content":"hi"}})";
        test::run_attempt(*adapter, job);
        auto reqs = mock.requests();
        REQUIRE(reqs.size() == 3);
        json card = json::parse(reqs[0].body);
        CHECK(card["msgtype"] == "actionCard");
        CHECK(card["actionCard"] == json{{"title", "Build 42"},
                                         {"text", "### passed"},
                                         {"singleTitle", "Open"},
                                         {"singleURL", "https://ci.example.com/42"}});
        CHECK(card["at"]["atUserIds"] == json::array({"manager7"}));
        CHECK(card["at"]["isAtAll"] == false);
        json plain = json::parse(reqs[1].body);
        CHECK_FALSE(plain.contains("at"));  // no recipient: sent as written
        json text = json::parse(reqs[2].body);
        CHECK(text["text"]["content"] == "hi\n@13800138000");
        CHECK(text["at"]["atMobiles"] == json::array({"13800138000"}));
    }

    SECTION("a payload that is not a DingTalk message fails without a request") {
        auto adapter = adapter_of(provider_of("ops-robot", "dingtalk-robot",
                                              {{"endpoint", mock.base()}, {"token", "t"}}));
        wire::Job job = job_to("", "", "x");
        job.payload = R"(["not", "an object"])";
        auto a = test::run_attempt(*adapter, job);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "invalid_payload");
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("dingtalk robot outcomes by errcode", "[dingtalk]") {
    std::string code, message = "whatever";
    int status = 200;
    std::string raw;
    VendorMock mock([&](const MockRequest&) {
        if (!raw.empty() || status != 200) {
            MockReply r{status, raw};
            r.content_type = "text/html";
            return r;
        }
        return test::errcode_reply(code, message);
    });
    auto adapter = adapter_of(
        provider_of("ops-robot", "dingtalk-robot", {{"endpoint", mock.base()}, {"token", "t"}}));
    auto run = [&] { return test::run_attempt(*adapter, job_to("", "", "hello")); };

    SECTION("security check failed is permanent, with the vendor's message") {
        code = "310000";
        message = "sign not match, more: [https://ding-doc.dingtalk.com/doc#/x]";
        auto a = run();
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "310000");
        CHECK(a.message == message);
    }
    SECTION("too fast: retryable after the robot's ten-minute block") {
        code = GENERATE(std::string("130101"), std::string("410100"));
        auto a = run();
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == code);
        CHECK(a.retry_after == 10 * 60 * 1000);
    }
    SECTION("system busy is retryable") {
        code = "-1";
        auto a = run();
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == "-1");
        CHECK(a.retry_after == 0);
    }
    SECTION("bad token, gone group and rejected content are permanent") {
        code = GENERATE(std::string("300001"), std::string("400013"), std::string("400101"),
                        std::string("430101"), std::string("430102"), std::string("430103"),
                        std::string("430104"));
        auto a = run();
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == code);
    }
    SECTION("an unknown code is permanent") {
        code = "999999";
        auto a = run();
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "999999");
    }
    SECTION("an HTTP error without a DingTalk body is classified by its status") {
        status = 503;
        raw = "<html>busy</html>";
        CHECK(run().outcome == wire::Outcome::retryable);
        status = 404;
        CHECK(run().outcome == wire::Outcome::permanent);
    }
    SECTION("HTTP 200 without an errcode is permanent") {
        raw = "<html>login page</html>";
        auto a = run();
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "bad_reply");
    }
}

TEST_CASE("dingtalk robot long texts", "[dingtalk]") {
    VendorMock mock([](const MockRequest&) { return ok_reply(); });
    auto make = [&](const std::string& overflow) {
        return adapter_of(provider_of("ops-robot", "dingtalk-robot",
                                      {{"endpoint", mock.base()},
                                       {"token", "t"},
                                       {"secret", "SECx"},
                                       {"overflow", overflow}}));
    };
    std::string line = "line of a long log, with text \"quoted\"\n";  // 3 bytes grow in JSON
    std::string long_body;
    while (long_body.size() < 30000) long_body += line;

    SECTION("split: several messages, each signed and under the limit, nothing lost") {
        auto adapter = make("split");
        auto a = test::run_attempt(*adapter, job_to("13800138000", "", long_body));
        CHECK(a.outcome == wire::Outcome::sent);
        auto reqs = mock.requests();
        REQUIRE(reqs.size() >= 2);
        CHECK(a.detail == "parts=" + std::to_string(reqs.size()));
        std::string joined;
        for (size_t i = 0; i < reqs.size(); ++i) {
            CHECK(reqs[i].body.size() <= 20000);
            CHECK(reqs[i].query("sign") == expected_sign("SECx", reqs[i].query("timestamp")));
            json body = json::parse(reqs[i].body);
            std::string content = body["text"]["content"];
            if (i == 0) {
                CHECK(body["at"]["atMobiles"] == json::array({"13800138000"}));
                const std::string tag = "\n@13800138000";
                REQUIRE(content.size() > tag.size());
                CHECK(content.substr(content.size() - tag.size()) == tag);
                content.resize(content.size() - tag.size());
            } else {
                CHECK(body["at"]["atMobiles"] == json::array());
            }
            joined += content;
        }
        CHECK(joined == long_body);
    }
    SECTION("texts are measured as the JSON DingTalk receives") {
        std::string quoted;
        while (quoted.size() < 15000) quoted += "\"q\"\n";  // 4 bytes, 7 as JSON
        auto adapter = make("split");
        auto a = test::run_attempt(*adapter, job_to("", "", quoted));
        CHECK(a.outcome == wire::Outcome::sent);
        auto reqs = mock.requests();
        REQUIRE(reqs.size() >= 2);
        std::string joined;
        for (const auto& r : reqs) {
            CHECK(r.body.size() <= 20000);
            joined += json::parse(r.body)["text"]["content"].get<std::string>();
        }
        CHECK(joined == quoted);
    }
    SECTION("truncate: one message, marked as cut") {
        auto adapter = make("truncate");
        auto a = test::run_attempt(*adapter, job_to("", "", long_body));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.detail.rfind("truncated=", 0) == 0);
        auto reqs = mock.requests();
        REQUIRE(reqs.size() == 1);
        CHECK(reqs[0].body.size() <= 20000);
        std::string content = json::parse(reqs[0].body)["text"]["content"];
        CHECK(content.substr(content.size() - 3) == "\xE2\x80\xA6");
        CHECK(long_body.rfind(content.substr(0, content.size() - 3), 0) == 0);
    }
    SECTION("reject: permanent, nothing sent") {
        auto adapter = make("reject");
        auto a = test::run_attempt(*adapter, job_to("", "", long_body));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "too_long");
        CHECK(mock.requests().empty());
    }
    SECTION("a failed second part says how many parts went out") {
        std::atomic<int> seen{0};
        VendorMock failing([&](const MockRequest&) {
            return ++seen == 2 ? test::errcode_reply("130101", "send too fast") : ok_reply();
        });
        auto adapter = adapter_of(provider_of("ops-robot", "dingtalk-robot",
                                              {{"endpoint", failing.base()}, {"token", "t"}}));
        auto a = test::run_attempt(*adapter, job_to("", "", long_body));
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == "130101");
        CHECK(a.detail == "parts=2 sent_parts=1/2");
        CHECK(failing.requests().size() == 2);
    }
}

TEST_CASE("dingtalk robot settings", "[dingtalk]") {
    json base = {{"token", "t"}};
    SECTION("good settings") {
        CHECK(settings_error(provider_of("ops-robot", "dingtalk-robot", base)) == "");
        base["secret"] = "SEC123";
        base["msgtype"] = "markdown";
        base["overflow"] = "truncate";
        CHECK(settings_error(provider_of("ops-robot", "dingtalk-robot", base)) == "");
    }
    SECTION("a missing token") {
        CHECK(settings_error(provider_of("ops-robot", "dingtalk-robot", json::object())) ==
              "provider 'ops-robot': 'token' is missing");
    }
    SECTION("a secret that is not a signing secret") {
        base["secret"] = "abc123";
        std::string m = settings_error(provider_of("ops-robot", "dingtalk-robot", base));
        CHECK(m.rfind("provider 'ops-robot': 'secret' ", 0) == 0);
        CHECK(m.find("\"SEC\"") != std::string::npos);
    }
    SECTION("a message kind that only payloads give") {
        base["msgtype"] = "actionCard";
        std::string m = settings_error(provider_of("ops-robot", "dingtalk-robot", base));
        CHECK(m.rfind("provider 'ops-robot': 'msgtype' ", 0) == 0);
        CHECK(m.find("payload") != std::string::npos);
    }
    SECTION("an endpoint that is not http(s)") {
        base["endpoint"] = "ftp://oapi.dingtalk.com";
        CHECK(settings_error(provider_of("ops-robot", "dingtalk-robot", base))
                  .rfind("provider 'ops-robot': 'endpoint' ", 0) == 0);
    }
    SECTION("an unknown key") {
        base["tokne"] = "x";
        CHECK(settings_error(provider_of("ops-robot", "dingtalk-robot", base)) ==
              "provider 'ops-robot': unknown key 'tokne', did you mean 'token'?");
    }
}
