// Tests for the slack adapter against an incoming webhook played on
// 127.0.0.1: the posted text and mention, replies of each outcome class, long
// texts split or cut, and settings errors naming provider and key.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_channel_support.hpp"

using namespace notify;
using namespace notify::test;
using nlohmann::json;

TEST_CASE("slack posts to the incoming webhook", "[slack]") {
    VendorMock mock([](const MockRequest&) { return reply_with(200, "ok", "text/plain"); });
    json settings = {{"type", "slack"}, {"url", mock.base() + "/services/T000/B000/XXXX"}};
    SECTION("subject in bold, a mention, escaped text") {
        auto a = test::run_attempt(*adapter_of("team", settings),
                                   job_to("U012AB3CD", "Deploy <prod>", "a & b <!channel>"));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.code == "ok");
        CHECK(a.detail.empty());
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].method == "POST");
        CHECK(rs[0].target == "/services/T000/B000/XXXX");
        CHECK(rs[0].header("Content-Type") == "application/json");
        CHECK(json::parse(rs[0].body) ==
              json{{"text", "<@U012AB3CD> *Deploy &lt;prod&gt;*\na &amp; b &lt;!channel&gt;"},
                   {"mrkdwn", true}});
    }
    SECTION("invalid UTF-8 in the text goes out replaced, nothing thrown") {
        channels::Attempt a;
        REQUIRE_NOTHROW(
            a = test::run_attempt(*adapter_of("team", settings), job_to("", "", "a\xFE b")));
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(json::parse(rs[0].body)["text"] == "a\xEF\xBF\xBD b");
    }
    SECTION("plain text without mrkdwn and without a subject") {
        settings["mrkdwn"] = false;
        auto a = test::run_attempt(*adapter_of("team", settings), job_to("", "Deploy", "done"));
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(json::parse(rs[0].body) == json{{"text", "Deploy\ndone"}, {"mrkdwn", false}});
    }
    SECTION("a payload with blocks goes as it is") {
        wire::Job job = job_to("", "s", "b");
        job.payload =
            R"({"text":"fallback","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]})";
        auto a = test::run_attempt(*adapter_of("team", settings), job);
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].body == job.payload);
    }
    SECTION("a recipient that is not a member id") {
        auto a = test::run_attempt(*adapter_of("team", settings), job_to("#general", "", "x"));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "invalid_recipient");
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("slack outcomes", "[slack]") {
    struct Case {
        int status;
        std::string body;
        std::vector<std::string> headers;
        wire::Outcome outcome;
        std::string code;
        Millis retry_after;
    };
    Case c = GENERATE(
        Case{429, "", {"Retry-After: 30"}, wire::Outcome::retryable, "429", 30000},
        Case{500, "rollup_error", {}, wire::Outcome::retryable, "rollup_error", 0},
        Case{503, "<html>down</html>", {}, wire::Outcome::retryable, "503", 0},
        Case{400, "invalid_payload", {}, wire::Outcome::permanent, "invalid_payload", 0},
        Case{400, "no_text", {}, wire::Outcome::permanent, "no_text", 0},
        Case{403, "action_prohibited", {}, wire::Outcome::permanent, "action_prohibited", 0},
        Case{404, "no_service", {}, wire::Outcome::permanent, "no_service", 0},
        Case{410, "channel_is_archived", {}, wire::Outcome::permanent, "channel_is_archived", 0});
    VendorMock mock(
        [&](const MockRequest&) { return reply_with(c.status, c.body, "text/plain", c.headers); });
    auto a =
        test::run_attempt(*adapter_of("team", json{{"type", "slack"}, {"url", mock.base() + "/h"}}),
                          job_to("", "", "hi"));
    INFO(c.status << " " << c.body);
    CHECK(a.outcome == c.outcome);
    CHECK(a.code == c.code);
    CHECK(a.retry_after == c.retry_after);
    CHECK(a.message.find("http status " + std::to_string(c.status)) == 0);
}

TEST_CASE("slack texts over 40000 characters", "[slack]") {
    VendorMock mock([](const MockRequest&) { return reply_with(200, "ok", "text/plain"); });
    json settings = {{"type", "slack"}, {"url", mock.base() + "/h"}};
    // One word with no place to break, and ampersands where the cut falls.
    const std::string body = std::string(39994, 'x') + std::string(10, '&') + std::string(200, 'y');
    const std::string escaped = [&] {
        std::string out = std::string(39994, 'x');
        for (int i = 0; i < 10; ++i) out += "&amp;";
        return out + std::string(200, 'y');
    }();
    SECTION("split") {
        auto a = test::run_attempt(*adapter_of("team", settings), job_to("", "", body));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.detail == "parts=2");
        auto rs = mock.requests();
        REQUIRE(rs.size() == 2);
        std::string joined;
        for (const auto& r : rs) {
            std::string text = json::parse(r.body)["text"];
            CHECK(chars(text) <= 40000);
            joined += text;
        }
        CHECK(joined == escaped);
        std::string second = json::parse(rs[1].body)["text"];
        CHECK(second.rfind("&amp;", 0) == 0);  // the entity was not cut
    }
    SECTION("truncate") {
        settings["overflow"] = "truncate";
        // 39999 characters leave room for "&amp;" and a partial "&" that must go.
        const std::string cut = std::string(39993, 'x') + std::string(10, '&');
        auto a = test::run_attempt(*adapter_of("team", settings), job_to("", "", cut));
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        std::string text = json::parse(rs[0].body)["text"];
        CHECK(chars(text) <= 40000);
        CHECK(text == std::string(39993, 'x') + "&amp;\xE2\x80\xA6");
        CHECK(a.detail == "truncated=40043/40000");
    }
    SECTION("reject") {
        settings["overflow"] = "reject";
        auto a = test::run_attempt(*adapter_of("team", settings), job_to("", "", body));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "too_long");
        CHECK(mock.requests().empty());
    }
    SECTION("a later part that fails ends the attempt") {
        std::atomic<int> n{0};
        VendorMock failing([&](const MockRequest&) {
            return ++n == 1 ? reply_with(200, "ok", "text/plain")
                            : reply_with(404, "no_service", "text/plain");
        });
        settings["url"] = failing.base() + "/h";
        auto a = test::run_attempt(*adapter_of("team", settings), job_to("", "", body));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "no_service");
        CHECK(a.detail == "parts=2 sent_parts=1/2");
    }
}

TEST_CASE("slack settings errors name the provider and the key", "[slack]") {
    json s = {{"type", "slack"}, {"url", "https://hooks.slack.com/services/T0/B0/X"}};
    REQUIRE(channels::validate_provider(provider_of("team", s)));
    SECTION("no url") {
        s.erase("url");
        check_invalid(provider_of("team", s), "url", "'url' is missing");
    }
    SECTION("url scheme") {
        s["url"] = "hooks.slack.com/services/T0/B0/X";
        check_invalid(provider_of("team", s), "url", "'url'");
    }
    SECTION("endpoint is not a slack key") {
        s["endpoint"] = "https://hooks.slack.com";
        check_invalid(provider_of("team", s), "endpoint", "unknown key 'endpoint'");
    }
    SECTION("mrkdwn") {
        s["mrkdwn"] = 1;
        check_invalid(provider_of("team", s), "mrkdwn", "'mrkdwn' must be true or false");
    }
    SECTION("overflow") {
        s["overflow"] = "cut";
        check_invalid(provider_of("team", s), "overflow", "'overflow' must be");
    }
}
