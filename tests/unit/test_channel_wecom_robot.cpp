// Tests for the wecom-robot adapter against a mock of the group robot's
// webhook on 127.0.0.1: text with mentions, markdown and payload messages,
// each class of error code, long texts as `overflow` says, bad settings.
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

const char* kOk = R"({"errcode":0,"errmsg":"ok"})";

}  // namespace

TEST_CASE("wecom-robot sends text with mentions", "[wecom]") {
    VendorMock mock([](const MockRequest&) { return answer(kOk); });
    auto adapter = adapter_of("ops-wecom", "wecom-robot",
                              {{"endpoint", mock.base()}, {"key", "693a91f6-7xxx-4bc4"}});

    struct Case {
        std::string to;
        json users, mobiles;  // null: the field is absent
    };
    const Case cases[] = {
        {"", nullptr, nullptr},
        {"@all", json{"@all"}, nullptr},
        {"zhangsan", json{"zhangsan"}, nullptr},
        {"13800001111", nullptr, json{"13800001111"}},
        {"+8613800001111", nullptr, json{"13800001111"}},
    };
    for (const auto& c : cases) {
        INFO("to '" << c.to << "'");
        auto done = test::run_attempt(*adapter, job_to(c.to, "Disk full", "db1 at 95%"));
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(done.code == "0");
        CHECK(done.detail.empty());
        auto r = mock.requests().back();
        CHECK(r.method == "POST");
        CHECK(r.path() == "/cgi-bin/webhook/send");
        CHECK(r.query("key") == "693a91f6-7xxx-4bc4");
        CHECK(r.header("Content-Type") == "application/json");
        json b = body_of(r);
        CHECK(b["msgtype"] == "text");
        CHECK(b["text"]["content"] == "Disk full\ndb1 at 95%");
        CHECK(b["text"].value("mentioned_list", json()) == c.users);
        CHECK(b["text"].value("mentioned_mobile_list", json()) == c.mobiles);
        CHECK(b.size() == 2);
    }
    CHECK(mock.requests().size() == std::size(cases));
}

TEST_CASE("wecom-robot markdown and payload messages", "[wecom]") {
    VendorMock mock([](const MockRequest&) { return answer(kOk); });

    SECTION("markdown, a userid mentioned in the content") {
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot",
                       {{"endpoint", mock.base()}, {"key", "k1"}, {"msgtype", "markdown"}});
        auto done = test::run_attempt(*adapter, job_to("lisi", "Deploy", "**v2** is live"));
        CHECK(done.outcome == wire::Outcome::sent);
        json b = body_of(mock.requests().at(0));
        CHECK(b == json{{"msgtype", "markdown"},
                        {"markdown", {{"content", "<@lisi>\n**Deploy**\n**v2** is live"}}}});

        done = test::run_attempt(*adapter, job_to("@all", "", "plain"));
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(done.detail == "mention_dropped=markdown");
        CHECK(body_of(mock.requests().at(1))["markdown"]["content"] == "plain");
    }
    SECTION("a news payload is sent as the message") {
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot", {{"endpoint", mock.base()}, {"key", "k1"}});
        json news = {
            {"msgtype", "news"},
            {"news", {{"articles", {{{"title", "Release"}, {"url", "https://example.com/r"}}}}}}};
        auto job = job_to("", "ignored", "ignored");
        job.payload = news.dump();
        auto done = test::run_attempt(*adapter, job);
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(body_of(mock.requests().at(0)) == news);
    }
    SECTION("a text payload gets the mention") {
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot", {{"endpoint", mock.base()}, {"key", "k1"}});
        auto job = job_to("13900002222", "", "");
        job.payload = R"({"msgtype":"text","text":{"content":"from the template"}})";
        CHECK(test::run_attempt(*adapter, job).outcome == wire::Outcome::sent);
        json b = body_of(mock.requests().at(0));
        CHECK(b["text"]["content"] == "from the template");
        CHECK(b["text"]["mentioned_mobile_list"] == json{"13900002222"});
    }
    SECTION("a payload that is not a WeCom message fails without a request") {
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot", {{"endpoint", mock.base()}, {"key", "k1"}});
        auto job = job_to("", "", "");
        job.payload = R"({"text":"no msgtype"})";
        auto done = test::run_attempt(*adapter, job);
        CHECK(done.outcome == wire::Outcome::permanent);
        CHECK(done.code == "invalid_payload");
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("wecom-robot error codes", "[wecom]") {
    struct Case {
        int status;
        std::string reply;
        wire::Outcome outcome;
        std::string code;
        Millis retry_after;
    };
    const Case cases[] = {
        {200, R"({"errcode":45009,"errmsg":"api freq out of limit"})", wire::Outcome::retryable,
         "45009", 60000},
        {200, R"({"errcode":-1,"errmsg":"system busy"})", wire::Outcome::retryable, "-1", 0},
        {200, R"({"errcode":93000,"errmsg":"invalid webhook url, hint: [x]"})",
         wire::Outcome::permanent, "93000", 0},
        {200, R"({"errcode":40008,"errmsg":"invalid message type"})", wire::Outcome::permanent,
         "40008", 0},
        {200, R"({"errcode":44004,"errmsg":"empty content"})", wire::Outcome::permanent, "44004",
         0},
        {200, R"({"errcode":77777,"errmsg":"something new"})", wire::Outcome::permanent, "77777",
         0},
        {502, "<html>bad gateway</html>", wire::Outcome::retryable, "502", 0},
        {200, "<html>a login page</html>", wire::Outcome::permanent, "bad_reply", 0},
    };
    for (const auto& c : cases) {
        INFO(c.reply);
        VendorMock mock([&](const MockRequest&) { return MockReply{c.status, c.reply}; });
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot", {{"endpoint", mock.base()}, {"key", "k1"}});
        auto done = test::run_attempt(*adapter, job_to("", "", "hello"));
        CHECK(done.outcome == c.outcome);
        CHECK(done.code == c.code);
        CHECK(done.retry_after == c.retry_after);
        if (c.code == "93000") CHECK(done.message == "invalid webhook url, hint: [x]");
    }
}

TEST_CASE("wecom-robot long texts follow overflow", "[wecom]") {
    const std::string text = long_text(5000);

    SECTION("split: consecutive requests, each within 2048 bytes, mention on the first") {
        VendorMock mock([](const MockRequest&) { return answer(kOk); });
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot", {{"endpoint", mock.base()}, {"key", "k1"}});
        auto done = test::run_attempt(*adapter, job_to("@all", "", text));
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(done.detail == "parts=3");
        auto rs = mock.requests();
        REQUIRE(rs.size() == 3);
        std::string joined;
        for (size_t i = 0; i < rs.size(); ++i) {
            json b = body_of(rs[i]);
            std::string content = b["text"]["content"];
            CHECK(content.size() <= 2048);
            joined += content;
            CHECK(b["text"].contains("mentioned_list") == (i == 0));
        }
        CHECK(joined == text);
    }
    SECTION("split: a failing part ends the attempt and says how far it got") {
        std::atomic<int> n{0};
        VendorMock mock([&](const MockRequest&) {
            return answer(++n == 2 ? R"({"errcode":45009,"errmsg":"freq"})" : kOk);
        });
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot", {{"endpoint", mock.base()}, {"key", "k1"}});
        auto done = test::run_attempt(*adapter, job_to("", "", text));
        CHECK(done.outcome == wire::Outcome::retryable);
        CHECK(done.detail == "parts=3 sent_parts=1/3");
        CHECK(mock.requests().size() == 2);
    }
    SECTION("truncate: one marked message") {
        VendorMock mock([](const MockRequest&) { return answer(kOk); });
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot",
                       {{"endpoint", mock.base()}, {"key", "k1"}, {"overflow", "truncate"}});
        auto done = test::run_attempt(*adapter, job_to("", "", text));
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(done.detail == "truncated=" + std::to_string(text.size()) + "/2048");
        REQUIRE(mock.requests().size() == 1);
        std::string content = body_of(mock.requests()[0])["text"]["content"];
        CHECK(content.size() <= 2048);
        CHECK(content.substr(content.size() - 3) == "\xE2\x80\xA6");
    }
    SECTION("markdown allows 4096 bytes") {
        VendorMock mock([](const MockRequest&) { return answer(kOk); });
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot",
                       {{"endpoint", mock.base()}, {"key", "k1"}, {"msgtype", "markdown"}});
        auto done = test::run_attempt(*adapter, job_to("", "", long_text(4000)));
        CHECK(done.detail.empty());
        CHECK(mock.requests().size() == 1);
    }
    SECTION("reject: permanent, nothing sent") {
        VendorMock mock([](const MockRequest&) { return answer(kOk); });
        auto adapter =
            adapter_of("ops-wecom", "wecom-robot",
                       {{"endpoint", mock.base()}, {"key", "k1"}, {"overflow", "reject"}});
        auto done = test::run_attempt(*adapter, job_to("", "", text));
        CHECK(done.outcome == wire::Outcome::permanent);
        CHECK(done.code == "too_long");
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("wecom-robot settings", "[wecom]") {
    CHECK(settings_error("ops-wecom", "wecom-robot", {{"key", "k1"}}).empty());
    CHECK(settings_error("ops-wecom", "wecom-robot", json::object()) ==
          "provider 'ops-wecom': 'key' is missing");
    CHECK(settings_error("ops-wecom", "wecom-robot", {{"key", "k1"}, {"msgtype", "markdwon"}}) ==
          "provider 'ops-wecom': 'msgtype' must be \"text\" or \"markdown\", not 'markdwon', "
          "did you mean 'markdown'?");
    CHECK(settings_error("ops-wecom", "wecom-robot", {{"key", "k1"}, {"endpoint", "ftp://h"}}) ==
          "provider 'ops-wecom': 'endpoint' must start with http:// or https://, not 'ftp://h'");
    CHECK(settings_error("ops-wecom", "wecom-robot",
                         {{"key", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}})
              .find("'key' must be the value after 'key=' in the webhook URL") !=
          std::string::npos);
    CHECK(settings_error("ops-wecom", "wecom-robot", {{"key", "k1"}, {"overflow", "wrap"}})
              .find("provider 'ops-wecom': 'overflow' must be") == 0);
    CHECK(settings_error("ops-wecom", "wecom-robot", {{"key", "k1"}, {"secret", "x"}})
              .find("unknown key "
                    "'secret'") != std::string::npos);

    // The key may come from the environment.
    setenv("NOTIFY_TEST_WECOM_KEY", "from-env", 1);
    VendorMock mock([](const MockRequest&) { return answer(kOk); });
    auto adapter = adapter_of("ops-wecom", "wecom-robot",
                              {{"endpoint", mock.base()}, {"key", "env:NOTIFY_TEST_WECOM_KEY"}});
    CHECK(test::run_attempt(*adapter, job_to("", "", "hi")).outcome == wire::Outcome::sent);
    CHECK(mock.requests().at(0).query("key") == "from-env");
}
