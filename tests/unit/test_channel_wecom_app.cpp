// Tests for the wecom-app adapter against a mock of qyapi.weixin.qq.com on
// 127.0.0.1: the access token (fetched, reused, refreshed when refused, a
// split message resumed at the refused part), recipients and message kinds
// field by field, each class of error code, bad settings.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_channel_support.hpp"

using namespace notify;
using namespace notify::test;
using nlohmann::json;

namespace {

MockReply answer(const std::string& body) {
    return MockReply{200, body};
}

}  // namespace

namespace {

// A mock of the application message API: gettoken hands out TOKEN-1, TOKEN-2,
// ... (or `token_reply` when set); message/send answers `send_replies` in turn
// (the last one repeated).
struct AppMock {
    std::vector<std::string> send_replies{R"({"errcode":0,"errmsg":"ok","msgid":"MSG-1"})"};
    std::string token_reply;
    std::atomic<int> tokens{0};
    std::atomic<size_t> sends{0};
    VendorMock mock{[this](const MockRequest& r) {
        if (r.path() == "/cgi-bin/gettoken") {
            if (!token_reply.empty()) return answer(token_reply);
            return answer(R"({"errcode":0,"errmsg":"ok","access_token":"TOKEN-)" +
                          std::to_string(++tokens) + R"(","expires_in":7200})");
        }
        if (r.path() == "/cgi-bin/message/send") {
            size_t i = sends++;
            return answer(send_replies[std::min(i, send_replies.size() - 1)]);
        }
        return MockReply{404, "{}"};
    }};

    json settings() const {
        return {{"endpoint", mock.base()},
                {"corp_id", "ww1234567890"},
                {"corp_secret", "s3cr/t+x"},
                {"agent_id", 1000002}};
    }
    std::vector<MockRequest> of(const std::string& path) const {
        std::vector<MockRequest> out;
        for (const auto& r : mock.requests())
            if (r.path() == path) out.push_back(r);
        return out;
    }
};

}  // namespace

TEST_CASE("wecom-app fetches a token and sends", "[wecom]") {
    AppMock app;
    json settings = app.settings();
    settings["duplicate_check_interval"] = "30m";
    auto adapter = adapter_of("ops-wecom", "wecom-app", settings);
    auto done = test::run_attempt(*adapter, job_to("zhangsan", "Disk full", "db1 at 95%"));
    CHECK(done.outcome == wire::Outcome::sent);
    CHECK(done.provider_message_id == "MSG-1");
    CHECK(done.code == "0");

    auto rs = app.mock.requests();
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].method == "GET");
    CHECK(rs[0].path() == "/cgi-bin/gettoken");
    CHECK(rs[0].query("corpid") == "ww1234567890");
    CHECK(rs[0].query("corpsecret") == "s3cr%2Ft%2Bx");
    CHECK(rs[1].method == "POST");
    CHECK(rs[1].path() == "/cgi-bin/message/send");
    CHECK(rs[1].query("access_token") == "TOKEN-1");
    CHECK(rs[1].header("Content-Type") == "application/json");
    json b = body_of(rs[1]);
    CHECK(b["touser"] == "zhangsan");
    CHECK_FALSE(b.contains("toparty"));
    CHECK_FALSE(b.contains("totag"));
    CHECK(b["msgtype"] == "text");
    CHECK(b["agentid"] == 1000002);
    CHECK(b["agentid"].is_number_integer());
    CHECK(b["text"] == json{{"content", "Disk full\ndb1 at 95%"}});
    CHECK(b["safe"] == 0);
    CHECK(b["enable_duplicate_check"] == 1);
    CHECK(b["duplicate_check_interval"] == 1800);
    CHECK(b.size() == 7);
}

TEST_CASE("wecom-app recipients and message kinds", "[wecom]") {
    AppMock app;
    json settings = app.settings();
    SECTION("party, tag and everyone") {
        auto adapter = adapter_of("ops-wecom", "wecom-app", settings);
        const std::pair<std::string, json> cases[] = {
            {"party:2", {{"toparty", "2"}}},
            {"tag:7", {{"totag", "7"}}},
            {"@all", {{"touser", "@all"}}},
        };
        for (const auto& [to, expected] : cases) {
            INFO(to);
            CHECK(test::run_attempt(*adapter, job_to(to, "", "hi")).outcome == wire::Outcome::sent);
            json b = body_of(app.of("/cgi-bin/message/send").back());
            for (const char* field : {"touser", "toparty", "totag"})
                CHECK(b.value(field, json()) == expected.value(field, json()));
        }
    }
    SECTION("recipients it cannot take fail before any request") {
        auto adapter = adapter_of("ops-wecom", "wecom-app", settings);
        auto done = test::run_attempt(*adapter, job_to("party:x", "", "hi"));
        CHECK(done.outcome == wire::Outcome::permanent);
        CHECK(done.code == "invalid_recipient");
        done = test::run_attempt(*adapter, job_to("a|b", "", "hi"));
        CHECK(done.code == "invalid_recipient");
        done = test::run_attempt(*adapter, job_to("", "", "hi"));
        CHECK(done.outcome == wire::Outcome::permanent);
        CHECK(done.code == "missing_recipient");
        CHECK(app.of("/cgi-bin/message/send").empty());
    }
    SECTION("markdown and safe") {
        settings["msgtype"] = "markdown";
        auto adapter = adapter_of("ops-wecom", "wecom-app", settings);
        CHECK(test::run_attempt(*adapter, job_to("u1", "Deploy", "done")).outcome ==
              wire::Outcome::sent);
        json b = body_of(app.of("/cgi-bin/message/send").back());
        CHECK(b["msgtype"] == "markdown");
        CHECK(b["markdown"] == json{{"content", "**Deploy**\ndone"}});
        CHECK_FALSE(b.contains("safe"));
        CHECK_FALSE(b.contains("enable_duplicate_check"));

        settings["msgtype"] = "text";
        settings["safe"] = true;
        auto safe = adapter_of("ops-wecom", "wecom-app", settings);
        CHECK(test::run_attempt(*safe, job_to("u1", "", "secret")).outcome == wire::Outcome::sent);
        CHECK(body_of(app.of("/cgi-bin/message/send").back())["safe"] == 1);
    }
    SECTION("a payload gets the recipient and agent id") {
        auto adapter = adapter_of("ops-wecom", "wecom-app", settings);
        auto job = job_to("tag:3", "", "");
        job.payload =
            R"({"msgtype":"textcard","touser":"someone","textcard":{"title":"T","description":"D","url":"https://example.com"}})";
        CHECK(test::run_attempt(*adapter, job).outcome == wire::Outcome::sent);
        json b = body_of(app.of("/cgi-bin/message/send").back());
        CHECK(b["msgtype"] == "textcard");
        CHECK(b["textcard"]["title"] == "T");
        CHECK(b["totag"] == "3");
        CHECK_FALSE(b.contains("touser"));
        CHECK(b["agentid"] == 1000002);
    }
}

TEST_CASE("wecom-app access token reuse and refresh", "[wecom]") {
    AppMock app;
    SECTION("one token for two jobs") {
        auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
        CHECK(test::run_attempt(*adapter, job_to("u1", "", "one")).outcome == wire::Outcome::sent);
        CHECK(test::run_attempt(*adapter, job_to("u2", "", "two")).outcome == wire::Outcome::sent);
        CHECK(app.of("/cgi-bin/gettoken").size() == 1);
        auto sends = app.of("/cgi-bin/message/send");
        REQUIRE(sends.size() == 2);
        CHECK(sends[0].query("access_token") == "TOKEN-1");
        CHECK(sends[1].query("access_token") == "TOKEN-1");
    }
    SECTION("an expired token (42001) is fetched again and the send repeated once") {
        app.send_replies = {R"({"errcode":42001,"errmsg":"access_token expired"})",
                            R"({"errcode":0,"errmsg":"ok","msgid":"MSG-2"})"};
        auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
        auto done = test::run_attempt(*adapter, job_to("u1", "", "hi"));
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(done.provider_message_id == "MSG-2");
        CHECK(app.of("/cgi-bin/gettoken").size() == 2);
        auto sends = app.of("/cgi-bin/message/send");
        REQUIRE(sends.size() == 2);
        CHECK(sends[0].query("access_token") == "TOKEN-1");
        CHECK(sends[1].query("access_token") == "TOKEN-2");
        CHECK(sends[0].body == sends[1].body);
    }
    SECTION("a send refused with 40001 (invalid credential) refreshes the token too") {
        app.send_replies = {R"({"errcode":40001,"errmsg":"invalid credential"})",
                            R"({"errcode":0,"errmsg":"ok","msgid":"MSG-3"})"};
        auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
        auto done = test::run_attempt(*adapter, job_to("u1", "", "hi"));
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(done.provider_message_id == "MSG-3");
        CHECK(app.of("/cgi-bin/gettoken").size() == 2);
        auto sends = app.of("/cgi-bin/message/send");
        REQUIRE(sends.size() == 2);
        CHECK(sends[0].query("access_token") == "TOKEN-1");
        CHECK(sends[1].query("access_token") == "TOKEN-2");
        CHECK(sends[0].body == sends[1].body);
    }
    SECTION("40001 on the send twice is retryable, after one refresh") {
        app.send_replies = {R"({"errcode":40001,"errmsg":"invalid credential"})"};
        auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
        auto done = test::run_attempt(*adapter, job_to("u1", "", "hi"));
        CHECK(done.outcome == wire::Outcome::retryable);
        CHECK(done.code == "40001");
        CHECK(app.of("/cgi-bin/gettoken").size() == 2);
        CHECK(app.of("/cgi-bin/message/send").size() == 2);
    }
    SECTION("a token refused twice (40014) is retryable") {
        app.send_replies = {R"({"errcode":40014,"errmsg":"invalid access_token"})"};
        auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
        auto done = test::run_attempt(*adapter, job_to("u1", "", "hi"));
        CHECK(done.outcome == wire::Outcome::retryable);
        CHECK(done.code == "40014");
        CHECK(done.message == "invalid access_token");
        CHECK(app.of("/cgi-bin/gettoken").size() == 2);
        CHECK(app.of("/cgi-bin/message/send").size() == 2);
    }
    SECTION("a split message resumes at the refused part") {
        app.send_replies = {R"({"errcode":0,"errmsg":"ok","msgid":"FIRST"})",
                            R"({"errcode":42001,"errmsg":"access_token expired"})",
                            R"({"errcode":0,"errmsg":"ok","msgid":"SECOND"})",
                            R"({"errcode":0,"errmsg":"ok","msgid":"THIRD"})"};
        auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
        const std::string text = long_text(5000);
        auto done = test::run_attempt(*adapter, job_to("u1", "", text));
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(done.provider_message_id == "FIRST");
        CHECK(done.detail == "parts=3");
        auto sends = app.of("/cgi-bin/message/send");
        REQUIRE(sends.size() == 4);
        CHECK(sends[1].body == sends[2].body);  // the refused part again, not the first
        CHECK(sends[2].query("access_token") == "TOKEN-2");
        std::string joined;
        for (size_t i : {0, 2, 3}) joined += body_of(sends[i])["text"]["content"];
        CHECK(joined == text);
    }
}

TEST_CASE("wecom-app error codes", "[wecom]") {
    struct Case {
        std::string reply;
        wire::Outcome outcome;
        std::string code;
        Millis retry_after;
        bool provider_fault = false;  // permanent for this provider: fails over
    };
    SECTION("send replies") {
        const Case cases[] = {
            {R"({"errcode":45009,"errmsg":"api freq out of limit"})", wire::Outcome::retryable,
             "45009", 60000},
            {R"({"errcode":-1,"errmsg":"system busy"})", wire::Outcome::retryable, "-1", 0},
            {R"({"errcode":60020,"errmsg":"not allow to access from your ip"})",
             wire::Outcome::permanent, "60020", 0, true},
            {R"({"errcode":81013,"errmsg":"user & party & tag all invalid"})",
             wire::Outcome::permanent, "81013", 0},
            {R"({"errcode":88888,"errmsg":"new"})", wire::Outcome::permanent, "88888", 0},
            {R"({"errcode":0,"errmsg":"ok","invaliduser":"other|U1","msgid":"M"})",
             wire::Outcome::permanent, "invalid_recipient", 0},
            {R"({"errcode":0,"errmsg":"ok","unlicenseduser":"u1","msgid":"M"})",
             wire::Outcome::permanent, "unlicensed_user", 0},
            {R"({"errcode":0,"errmsg":"ok","invaliduser":"other","msgid":"M"})",
             wire::Outcome::sent, "0", 0},
        };
        for (const auto& c : cases) {
            INFO(c.reply);
            AppMock app;
            app.send_replies = {c.reply};
            auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
            auto done = test::run_attempt(*adapter, job_to("u1", "", "hi"));
            CHECK(done.outcome == c.outcome);
            CHECK(done.provider_fault == c.provider_fault);
            CHECK(done.code == c.code);
            CHECK(done.retry_after == c.retry_after);
            CHECK(app.of("/cgi-bin/gettoken").size() == 1);
        }
    }
    SECTION("a party WeCom reports invalid") {
        AppMock app;
        app.send_replies = {R"({"errcode":0,"errmsg":"ok","invalidparty":"5","msgid":"M"})"};
        auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
        auto done = test::run_attempt(*adapter, job_to("party:5", "", "hi"));
        CHECK(done.outcome == wire::Outcome::permanent);
        CHECK(done.code == "invalid_recipient");
        CHECK(done.message.find("invalidparty") != std::string::npos);
    }
    SECTION("token replies") {
        // The corp's credentials or IP: the channel's next provider may send it.
        const Case cases[] = {
            {R"({"errcode":40013,"errmsg":"invalid corpid"})", wire::Outcome::permanent, "40013", 0,
             true},
            {R"({"errcode":40001,"errmsg":"invalid credential"})", wire::Outcome::permanent,
             "40001", 0, true},
            {R"({"errcode":60020,"errmsg":"not allow to access from your ip"})",
             wire::Outcome::permanent, "60020", 0, true},
            {R"({"errcode":-1,"errmsg":"system busy"})", wire::Outcome::retryable, "-1", 0},
        };
        for (const auto& c : cases) {
            INFO(c.reply);
            AppMock app;
            app.token_reply = c.reply;
            auto adapter = adapter_of("ops-wecom", "wecom-app", app.settings());
            auto done = test::run_attempt(*adapter, job_to("u1", "", "hi"));
            CHECK(done.outcome == c.outcome);
            CHECK(done.provider_fault == c.provider_fault);
            CHECK(done.code == c.code);
            CHECK(done.message.find("access token: ") == 0);
            CHECK(app.of("/cgi-bin/message/send").empty());
        }
    }
}

TEST_CASE("wecom-app settings", "[wecom]") {
    const json good = {{"corp_id", "ww1"}, {"corp_secret", "s"}, {"agent_id", 1000002}};
    CHECK(settings_error("ops-wecom", "wecom-app", good).empty());
    auto with = [&](const std::string& key, const json& value) {
        json s = good;
        if (value.is_null())
            s.erase(key);
        else
            s[key] = value;
        return settings_error("ops-wecom", "wecom-app", s);
    };
    CHECK(with("corp_secret", nullptr) == "provider 'ops-wecom': 'corp_secret' is missing");
    CHECK(with("corp_id", nullptr) == "provider 'ops-wecom': 'corp_id' is missing");
    CHECK(with("agent_id", "1000002") == "provider 'ops-wecom': 'agent_id' must be an integer");
    CHECK(with("agent_id", 0) == "provider 'ops-wecom': 'agent_id' must be a positive integer");
    CHECK(with("safe", "yes") == "provider 'ops-wecom': 'safe' must be true or false");
    CHECK(with("duplicate_check_interval", "5h") ==
          "provider 'ops-wecom': 'duplicate_check_interval' must be at most 4h");
    CHECK(with("msgtype", "news").find("provider 'ops-wecom': 'msgtype' must be") == 0);
    CHECK(with("agentid", 1).find("unknown key 'agentid', did you mean 'agent_id'?") !=
          std::string::npos);
}
