// Tests for the Feishu / Lark custom bot: the signature (feishu_sign.hpp)
// against the SELF-COMPUTED vectors of the provider notes, and the feishu-bot
// adapter against a mock of open.feishu.cn on 127.0.0.1 that recomputes the
// signature the documented way and refuses the DingTalk-style variant.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "channels/feishu_sign.hpp"
#include "test_channel_support.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

using namespace notify;
using namespace notify::test;
using nlohmann::json;

namespace {

const char* kBotSecret = "bot-signing-secret";
const char* kOk = R"({"code":0,"msg":"success","data":{}})";

// The documented construction: key = "<ts>\n<secret>", empty message.
std::string documented_sign(const std::string& ts, const std::string& secret) {
    return util::base64(util::hmac_sha256(ts + "\n" + secret, ""));
}
// What DingTalk does, and Feishu refuses: key = secret, message = "<ts>\n<secret>".
std::string dingtalk_style_sign(const std::string& ts, const std::string& secret) {
    return util::base64(util::hmac_sha256(secret, ts + "\n" + secret));
}

// What the mock finds wrong with a signed request's timestamp and sign, or "".
std::string sign_problem(const json& b) {
    if (!b.contains("timestamp") || !b["timestamp"].is_string()) return "no timestamp string";
    if (!b.contains("sign") || !b["sign"].is_string()) return "no sign string";
    std::string ts = b["timestamp"];
    long long t = std::stoll(ts);
    long long now = util::now_ms() / 1000;
    if (t < now - 5 || t > now + 1) return "timestamp " + ts + " is not now";
    if (b["sign"] == dingtalk_style_sign(ts, kBotSecret)) return "dingtalk-style sign";
    if (b["sign"] != documented_sign(ts, kBotSecret)) return "sign mismatch";
    return "";
}

// A bot that checks signatures: 19021 for a request whose sign is wrong.
MockReply signed_bot(const MockRequest& r) {
    auto b = json::parse(r.body, nullptr, false);
    if (b.is_discarded()) return MockReply{400, R"({"code":9499,"msg":"Bad Request"})"};
    if (!sign_problem(b).empty())
        return MockReply{
            200,
            R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"})"};
    return MockReply{200, kOk};
}

std::unique_ptr<channels::Adapter> make(const json& settings) {
    return test::adapter_of("team-bot", "feishu-bot", settings);
}

std::string bot_settings_error(const json& settings) {
    return test::settings_error("team-bot", "feishu-bot", settings);
}

}  // namespace

TEST_CASE("feishu sign matches the self-computed vectors", "[feishu]") {
    // providers.md §3, SELF-COMPUTED from the documented algorithm.
    CHECK(channels::feishu_sign("this is secret", 1599360473) ==
          "/eYKrXQBzTjUZJ3s6NX16VxGbTwmK7AEs8/FnvC1CSw=");
    CHECK(channels::feishu_sign("demo-secret", 1700000000) ==
          "mYHw2R2SOm8Rw/sne3lQdmz4sOfntKR+1P/8RKKTwmA=");
    // The DingTalk-style construction gives the table's "wrong" values, which differ.
    CHECK(dingtalk_style_sign("1599360473", "this is secret") ==
          "Aa897dtSTyHzD0ZCF2+ph58VjSQ6lUYLT11QvLTQCnU=");
    CHECK(dingtalk_style_sign("1700000000", "demo-secret") ==
          "QpuQa+geSeGNFIceuqIn2wMB7bl/MUclyiNJmHCj0uU=");
    CHECK(channels::feishu_sign("this is secret", 1599360473) !=
          dingtalk_style_sign("1599360473", "this is secret"));
    CHECK(channels::feishu_sign("demo-secret", 1700000001) !=
          channels::feishu_sign("demo-secret", 1700000000));
}

TEST_CASE("feishu-bot sends signed text", "[feishu]") {
    VendorMock mock(signed_bot);
    auto adapter =
        make({{"endpoint", mock.base()}, {"token", "a1b2-c3d4"}, {"secret", kBotSecret}});
    auto done = test::run_attempt(*adapter, job_to("", "Disk full", "db1 at 95%"));
    CHECK(done.outcome == wire::Outcome::sent);
    CHECK(done.code == "0");
    CHECK(done.detail.empty());

    REQUIRE(mock.requests().size() == 1);
    auto r = mock.requests()[0];
    CHECK(r.method == "POST");
    CHECK(r.target == "/open-apis/bot/v2/hook/a1b2-c3d4");
    CHECK(r.header("Content-Type") == "application/json");
    json b = body_of(r);
    CHECK(sign_problem(b).empty());
    CHECK(b["msg_type"] == "text");
    CHECK(b["content"] == json{{"text", "Disk full\ndb1 at 95%"}});
    CHECK(b.size() == 4);  // timestamp, sign, msg_type, content

    SECTION("without a secret nothing is signed") {
        VendorMock plain([](const MockRequest&) { return MockReply{200, kOk}; });
        auto unsigned_bot = make({{"endpoint", plain.base()}, {"token", "t"}});
        CHECK(test::run_attempt(*unsigned_bot, job_to("", "", "hi")).outcome ==
              wire::Outcome::sent);
        json p = body_of(plain.requests().at(0));
        CHECK_FALSE(p.contains("timestamp"));
        CHECK_FALSE(p.contains("sign"));
        CHECK(p == json{{"msg_type", "text"}, {"content", {{"text", "hi"}}}});
    }
    SECTION("a bot with another secret refuses the request") {
        auto wrong = make({{"endpoint", mock.base()}, {"token", "t"}, {"secret", "other"}});
        auto refused = test::run_attempt(*wrong, job_to("", "", "hi"));
        CHECK(refused.outcome == wire::Outcome::permanent);
        CHECK(refused.code == "19021");
        CHECK(refused.message ==
              "sign match fail or timestamp is not within one hour from current time");
    }
}

TEST_CASE("feishu-bot mentions and post messages", "[feishu]") {
    VendorMock mock(signed_bot);
    json settings = {{"endpoint", mock.base()}, {"token", "t"}, {"secret", kBotSecret}};

    SECTION("text mentions") {
        auto adapter = make(settings);
        CHECK(test::run_attempt(*adapter, job_to("all", "", "deploy done")).outcome ==
              wire::Outcome::sent);
        CHECK(body_of(mock.requests().at(0))["content"]["text"] ==
              "<at user_id=\"all\">\xE6\x89\x80\xE6\x9C\x89\xE4\xBA\xBA</at> deploy done");
        CHECK(test::run_attempt(*adapter,
                                job_to("ou_7d8a6e6df7621556ce0d21922b676706", "", "your turn"))
                  .outcome == wire::Outcome::sent);
        CHECK(body_of(mock.requests().at(1))["content"]["text"] ==
              "<at user_id=\"ou_7d8a6e6df7621556ce0d21922b676706\"></at> your turn");
        auto done = test::run_attempt(*adapter, job_to("zhangsan", "", "x"));
        CHECK(done.outcome == wire::Outcome::permanent);
        CHECK(done.code == "invalid_recipient");
        CHECK(mock.requests().size() == 2);
    }
    SECTION("post: the subject is the title, one row per line") {
        settings["msgtype"] = "post";
        auto adapter = make(settings);
        CHECK(test::run_attempt(*adapter, job_to("ou_abc", "Deploy", "v2 is live\nno errors"))
                  .outcome == wire::Outcome::sent);
        json b = body_of(mock.requests().at(0));
        CHECK(sign_problem(b).empty());
        CHECK(b["msg_type"] == "post");
        json expected = {
            {"title", "Deploy"},
            {"content",
             {{{{"tag", "at"}, {"user_id", "ou_abc"}}, {{"tag", "text"}, {"text", "v2 is live"}}},
              {{{"tag", "text"}, {"text", "no errors"}}}}}};
        CHECK(b["content"] == json{{"post", {{"zh_cn", expected}}}});
    }
    SECTION("an interactive card payload is sent with its card, signed") {
        auto adapter = make(settings);
        json card = {
            {"msg_type", "interactive"},
            {"card",
             {{"header", {{"title", {{"tag", "plain_text"}, {"content", "Alert"}}}}},
              {"elements",
               {{{"tag", "div"}, {"text", {{"tag", "lark_md"}, {"content", "**db1**"}}}}}}}}};
        auto job = job_to("", "ignored", "ignored");
        job.payload = card.dump();
        CHECK(test::run_attempt(*adapter, job).outcome == wire::Outcome::sent);
        json b = body_of(mock.requests().at(0));
        CHECK(sign_problem(b).empty());
        CHECK(b["msg_type"] == "interactive");
        CHECK(b["card"] == card["card"]);
        CHECK_FALSE(b.contains("content"));
    }
    SECTION("a payload without msg_type fails without a request") {
        auto adapter = make(settings);
        auto job = job_to("", "", "");
        job.payload = R"({"card":{}})";
        auto done = test::run_attempt(*adapter, job);
        CHECK(done.outcome == wire::Outcome::permanent);
        CHECK(done.code == "invalid_payload");
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("feishu-bot reply codes", "[feishu]") {
    struct Case {
        int status;
        std::string reply;
        wire::Outcome outcome;
        std::string code;
        Millis retry_after;
    };
    const Case cases[] = {
        {200, R"({"Extra":null,"StatusCode":0,"StatusMessage":"success"})", wire::Outcome::sent,
         "0", 0},
        {200, R"({"code":11232,"msg":"frequency limited"})", wire::Outcome::retryable, "11232",
         60000},
        {200, R"({"code":19022,"msg":"Ip Not Allowed"})", wire::Outcome::permanent, "19022", 0},
        {200, R"({"code":19024,"msg":"Key Words Not Found"})", wire::Outcome::permanent, "19024",
         0},
        {400, R"({"code":9499,"msg":"Bad Request","data":{}})", wire::Outcome::permanent, "9499",
         0},
        {200, R"({"StatusCode":19021,"StatusMessage":"sign match fail"})", wire::Outcome::permanent,
         "19021", 0},
        {200, R"({"code":12345,"msg":"new"})", wire::Outcome::permanent, "12345", 0},
        {503, "overloaded", wire::Outcome::retryable, "503", 0},
        {200, "ok", wire::Outcome::permanent, "bad_reply", 0},
    };
    for (const auto& c : cases) {
        INFO(c.reply);
        VendorMock mock([&](const MockRequest&) { return MockReply{c.status, c.reply}; });
        auto adapter = make({{"endpoint", mock.base()}, {"token", "t"}});
        auto done = test::run_attempt(*adapter, job_to("", "", "hi"));
        CHECK(done.outcome == c.outcome);
        CHECK(done.code == c.code);
        CHECK(done.retry_after == c.retry_after);
    }
}

TEST_CASE("feishu-bot long texts follow overflow", "[feishu]") {
    std::string text;
    for (int i = 1; text.size() < 40000; ++i) text += "event " + std::to_string(i) + " recorded\n";

    SECTION("split") {
        VendorMock mock(signed_bot);
        auto adapter = make({{"endpoint", mock.base()}, {"token", "t"}, {"secret", kBotSecret}});
        auto done = test::run_attempt(*adapter, job_to("all", "", text));
        CHECK(done.outcome == wire::Outcome::sent);
        CHECK(done.detail == "parts=3");
        auto rs = mock.requests();
        REQUIRE(rs.size() == 3);
        std::string joined;
        for (const auto& r : rs) {
            CHECK(r.body.size() <= 20 * 1024);
            json b = body_of(r);
            CHECK(sign_problem(b).empty());
            std::string part = b["content"]["text"];
            CHECK(part.size() <= 18000);
            joined += part;
        }
        const std::string at = "<at user_id=\"all\">\xE6\x89\x80\xE6\x9C\x89\xE4\xBA\xBA</at> ";
        CHECK(joined == at + text);
    }
    SECTION("reject") {
        VendorMock mock(signed_bot);
        auto adapter = make({{"endpoint", mock.base()}, {"token", "t"}, {"overflow", "reject"}});
        auto done = test::run_attempt(*adapter, job_to("", "", text));
        CHECK(done.outcome == wire::Outcome::permanent);
        CHECK(done.code == "too_long");
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("feishu-bot settings", "[feishu]") {
    CHECK(bot_settings_error({{"token", "t"}}).empty());
    CHECK(bot_settings_error({{"token", "t"}, {"endpoint", "https://open.larksuite.com"}}).empty());
    CHECK(bot_settings_error(json::object()) == "provider 'team-bot': 'token' is missing");
    CHECK(bot_settings_error({{"token", "t"}, {"msgtype", "card"}}) ==
          "provider 'team-bot': 'msgtype' must be \"text\" or \"post\", not 'card'");
    CHECK(bot_settings_error({{"token", "https://open.feishu.cn/open-apis/bot/v2/hook/t"}})
              .find("provider 'team-bot': 'token' must be the last part of the webhook URL") == 0);
    CHECK(bot_settings_error({{"token", "t"}, {"endpoint", "open.feishu.cn"}})
              .find("provider 'team-bot': 'endpoint'") == 0);
    CHECK(bot_settings_error({{"token", "t"}, {"secret", "env:NOTIFY_TEST_UNSET_FEISHU_SECRET"}})
              .find("provider 'team-bot': 'secret'") == 0);
    CHECK(bot_settings_error({{"token", "t"}, {"sign", "x"}})
              .find("provider 'team-bot': unknown key 'sign'") == 0);
}
