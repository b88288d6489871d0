// Tests for the wechat-template adapter against a WeChat API played on
// 127.0.0.1: the stable_token request, the three send APIs and their bodies,
// the token kept for later jobs and refreshed once when refused, each errcode
// class, and settings errors that name the provider and the key.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_channel_support.hpp"

using namespace notify;
using namespace notify::test;
using nlohmann::json;

namespace {

json base_settings(const VendorMock& mock) {
    return json{{"type", "wechat-template"},
                {"endpoint", mock.base()},
                {"app_id", "wx1234567890abcdef"},
                {"app_secret", "s3cret"},
                {"templates",
                 {{"order-shipped",
                   {{"code", "TPL_SHIPPED_01"},
                    {"params", {{"thing1", "item"}, {"amount2", "order.total"}}},
                    {"url", "https://shop.example.com/o/1"},
                    {"miniprogram_appid", "wxmini000000000001"},
                    {"miniprogram_pagepath", "pages/order?id=1"}}}}}};
}

ProviderConfig provider(const json& settings) {
    return test::provider_of("mp", "wechat-template", settings);
}

std::unique_ptr<channels::Adapter> adapter_for(const json& settings) {
    return test::adapter_of(provider(settings));
}

wire::Job shipped_job(std::string delivery = "01JWX.1") {
    wire::Job job;
    job.delivery_id = std::move(delivery);
    job.provider = "mp";
    job.to = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    job.template_name = "order-shipped";
    job.data_json = R"({"item":"Desk lamp","order":{"total":12.5}})";
    job.subject = "ignored";
    job.body = "ignored";
    return job;
}

MockReply token_reply(const std::string& token) {
    return MockReply{200, json{{"access_token", token}, {"expires_in", 7200}}.dump()};
}

std::vector<MockRequest> on_path(const VendorMock& mock, const std::string& path) {
    std::vector<MockRequest> out;
    for (const auto& r : mock.requests())
        if (r.path() == path) out.push_back(r);
    return out;
}

const std::string kTemplatePath = "/cgi-bin/message/template/send";

}  // namespace

TEST_CASE("wechat-template fetches a stable token and sends a template message", "[wechat]") {
    VendorMock mock([](const MockRequest& r) {
        if (r.path() == "/cgi-bin/stable_token") return token_reply("TOKEN/1+A");
        return MockReply{200, R"({"errcode":0,"errmsg":"ok","msgid":200228332})"};
    });
    auto adapter = adapter_for(base_settings(mock));

    channels::Attempt first = test::run_attempt(*adapter, shipped_job("01JWX.1"));
    CHECK(first.outcome == wire::Outcome::sent);
    CHECK(first.provider_message_id == "200228332");
    CHECK(first.code == "0");
    channels::Attempt second = test::run_attempt(*adapter, shipped_job("01JWY.1"));
    CHECK(second.outcome == wire::Outcome::sent);

    auto tokens = on_path(mock, "/cgi-bin/stable_token");
    REQUIRE(tokens.size() == 1);  // one token for both jobs
    CHECK(tokens[0].method == "POST");
    CHECK(tokens[0].target == "/cgi-bin/stable_token");
    CHECK(tokens[0].header("Content-Type") == "application/json");
    json tb = json::parse(tokens[0].body);
    CHECK(tb["grant_type"] == "client_credential");
    CHECK(tb["appid"] == "wx1234567890abcdef");
    CHECK(tb["secret"] == "s3cret");
    CHECK(tb["force_refresh"] == false);
    CHECK(tb.size() == 4);

    auto sends = on_path(mock, kTemplatePath);
    REQUIRE(sends.size() == 2);
    const MockRequest& s = sends[0];
    CHECK(s.method == "POST");
    CHECK(s.query("access_token") == "TOKEN%2F1%2BA");
    CHECK(s.header("Content-Type") == "application/json");
    json b = json::parse(s.body);
    CHECK(b["touser"] == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    CHECK(b["template_id"] == "TPL_SHIPPED_01");
    CHECK(b["url"] == "https://shop.example.com/o/1");
    CHECK(b["miniprogram"] ==
          json{{"appid", "wxmini000000000001"}, {"pagepath", "pages/order?id=1"}});
    CHECK(b["client_msg_id"] == "01JWX.1");
    CHECK(b["data"] ==
          json{{"thing1", {{"value", "Desk lamp"}}}, {"amount2", {{"value", "12.5"}}}});
    CHECK_FALSE(b.contains("page"));
    CHECK_FALSE(b.contains("mp_template_msg"));
    CHECK(json::parse(sends[1].body)["client_msg_id"] == "01JWY.1");
}

TEST_CASE("wechat-template refreshes a refused token once", "[wechat]") {
    std::atomic<int> token_calls{0}, send_calls{0};
    const bool refuse_always = GENERATE(false, true);
    std::string refusal;
    SECTION("expired (42001)") {
        refusal = R"({"errcode":42001,"errmsg":"access_token expired rid: 1"})";
    }
    SECTION("invalid (40001)") {
        refusal = R"({"errcode":40001,"errmsg":"invalid credential rid: 2"})";
    }
    SECTION("invalid (40014)") {
        refusal = R"({"errcode":40014,"errmsg":"invalid access_token"})";
    }
    VendorMock mock([&](const MockRequest& r) {
        if (r.path() == "/cgi-bin/stable_token")
            return token_reply("TOKEN-" + std::to_string(++token_calls));
        if (++send_calls == 1 || refuse_always) return MockReply{200, refusal};
        return MockReply{200, R"({"errcode":0,"errmsg":"ok","msgid":7})"};
    });
    auto adapter = adapter_for(base_settings(mock));
    channels::Attempt a = test::run_attempt(*adapter, shipped_job());

    auto sends = on_path(mock, kTemplatePath);
    REQUIRE(sends.size() == 2);  // never more than one refresh per attempt
    CHECK(sends[0].query("access_token") == "TOKEN-1");
    CHECK(sends[1].query("access_token") == "TOKEN-2");
    CHECK(on_path(mock, "/cgi-bin/stable_token").size() == 2);
    if (!refuse_always) {
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id == "7");
    } else {
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == json::parse(refusal)["errcode"].dump());
    }
}

TEST_CASE("wechat-template classifies the send's errcodes", "[wechat]") {
    struct Case {
        int errcode;
        wire::Outcome outcome;
        Millis retry_after;
        bool provider_fault = false;  // this account's: the next provider may send it
    };
    Case c = GENERATE(
        Case{-1, wire::Outcome::retryable, 0}, Case{45009, wire::Outcome::retryable, 3600000},
        Case{40003, wire::Outcome::permanent, 0}, Case{43004, wire::Outcome::permanent, 0},
        Case{43101, wire::Outcome::permanent, 0}, Case{40037, wire::Outcome::permanent, 0, true},
        Case{40036, wire::Outcome::permanent, 0, true}, Case{47003, wire::Outcome::permanent, 0},
        Case{40164, wire::Outcome::permanent, 0, true},
        Case{48001, wire::Outcome::permanent, 0});  // not in the table
    const std::string errmsg = "refused\nfor a reason rid: 6543-21";
    VendorMock mock([&](const MockRequest& r) {
        if (r.path() == "/cgi-bin/stable_token") return token_reply("T");
        return MockReply{200, json{{"errcode", c.errcode}, {"errmsg", errmsg}}.dump()};
    });
    auto adapter = adapter_for(base_settings(mock));
    channels::Attempt a = test::run_attempt(*adapter, shipped_job());
    INFO("errcode " << c.errcode);
    CHECK(a.outcome == c.outcome);
    CHECK(a.provider_fault == c.provider_fault);
    CHECK(a.code == std::to_string(c.errcode));
    CHECK(a.message == "refused for a reason rid: 6543-21");
    CHECK(a.retry_after == c.retry_after);
    CHECK(on_path(mock, kTemplatePath).size() == 1);  // no refresh for these
}

TEST_CASE("wechat-template answers HTTP failures and unreadable replies", "[wechat]") {
    SECTION("HTTP 503 on the send is retryable") {
        VendorMock mock([](const MockRequest& r) {
            if (r.path() == "/cgi-bin/stable_token") return token_reply("T");
            return reply_with(503, "busy", "text/plain", {"Retry-After: 20"});
        });
        auto a = test::run_attempt(*adapter_for(base_settings(mock)), shipped_job());
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == "503");
        CHECK(a.retry_after == 20000);
    }
    SECTION("a 200 without errcode is retryable") {
        VendorMock mock([](const MockRequest& r) {
            if (r.path() == "/cgi-bin/stable_token") return token_reply("T");
            return reply_with(200, "<html>gateway</html>", "text/html");
        });
        auto a = test::run_attempt(*adapter_for(base_settings(mock)), shipped_job());
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == "invalid_reply");
    }
    SECTION("a long unreadable reply is cut on a character boundary") {
        // "\xc3\xa9" (e acute) takes bytes 200 and 201 of the reply.
        std::string body = std::string(199, 'x') + "\xc3\xa9" + std::string(50, 'y');
        VendorMock mock([&](const MockRequest& r) {
            if (r.path() == "/cgi-bin/stable_token") return token_reply("T");
            return reply_with(200, body, "text/html");
        });
        auto a = test::run_attempt(*adapter_for(base_settings(mock)), shipped_job());
        CHECK(a.code == "invalid_reply");
        CHECK(a.message.find('\xc3') == std::string::npos);
        CHECK(a.message.find(std::string(199, 'x') + "...(52 bytes more)") != std::string::npos);
    }
}

TEST_CASE("wechat-template token errors", "[wechat]") {
    struct Case {
        int errcode;
        wire::Outcome outcome;
        bool provider_fault;
    };
    // The account's credentials or IP: permanent here, the channel's next provider may send.
    Case c = GENERATE(
        Case{40013, wire::Outcome::permanent, true}, Case{40125, wire::Outcome::permanent, true},
        Case{40001, wire::Outcome::permanent, true}, Case{40164, wire::Outcome::permanent, true},
        Case{-1, wire::Outcome::retryable, false});
    VendorMock mock([&](const MockRequest&) {
        return MockReply{200, json{{"errcode", c.errcode}, {"errmsg", "no token for you"}}.dump()};
    });
    auto adapter = adapter_for(base_settings(mock));
    channels::Attempt a = test::run_attempt(*adapter, shipped_job());
    CHECK(a.outcome == c.outcome);
    CHECK(a.provider_fault == c.provider_fault);
    CHECK(a.code == std::to_string(c.errcode));
    CHECK(a.message == "access token: no token for you");
    // A job right after gets the same reason without asking again.
    channels::Attempt b = test::run_attempt(*adapter, shipped_job("01JWZ.1"));
    CHECK(b.outcome == c.outcome);
    CHECK(b.provider_fault == c.provider_fault);
    CHECK(b.code == a.code);
    CHECK(mock.requests().size() == 1);
    CHECK(on_path(mock, kTemplatePath).empty());
}

TEST_CASE("wechat-template subscribe messages", "[wechat]") {
    VendorMock mock([](const MockRequest& r) {
        if (r.path() == "/cgi-bin/stable_token") return token_reply("T");
        return MockReply{200, R"({"errcode":0,"errmsg":"ok"})"};
    });
    json settings = base_settings(mock);
    SECTION("official account subscribe notice (bizsend)") {
        settings["message"] = "subscribe";
        settings["templates"]["order-shipped"] = {{"code", "SUB_1"},
                                                  {"params", {{"thing2", "item"}}},
                                                  {"page", "https://shop.example.com/o"},
                                                  {"miniprogram_appid", "wxmini000000000001"},
                                                  {"miniprogram_pagepath", "index?x=1"}};
        auto a = test::run_attempt(*adapter_for(settings), shipped_job());
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id.empty());
        auto sends = on_path(mock, "/cgi-bin/message/subscribe/bizsend");
        REQUIRE(sends.size() == 1);
        CHECK(sends[0].query("access_token") == "T");
        json b = json::parse(sends[0].body);
        CHECK(b ==
              json{{"touser", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
                   {"template_id", "SUB_1"},
                   {"page", "https://shop.example.com/o"},
                   {"miniprogram", {{"appid", "wxmini000000000001"}, {"pagepath", "index?x=1"}}},
                   {"data", {{"thing2", {{"value", "Desk lamp"}}}}}});
    }
    SECTION("mini program subscribe message") {
        settings["message"] = "miniprogram-subscribe";
        settings["templates"]["order-shipped"] = {{"code", "MP_1"},
                                                  {"params", {{"thing1", "item"}}},
                                                  {"page", "index?foo=bar"},
                                                  {"miniprogram_state", "trial"},
                                                  {"lang", "en_US"}};
        auto a = test::run_attempt(*adapter_for(settings), shipped_job());
        CHECK(a.outcome == wire::Outcome::sent);
        auto sends = on_path(mock, "/cgi-bin/message/subscribe/send");
        REQUIRE(sends.size() == 1);
        json b = json::parse(sends[0].body);
        CHECK(b == json{{"touser", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
                        {"template_id", "MP_1"},
                        {"page", "index?foo=bar"},
                        {"miniprogram_state", "trial"},
                        {"lang", "en_US"},
                        {"data", {{"thing1", {{"value", "Desk lamp"}}}}}});
    }
}

TEST_CASE("wechat-template refuses jobs it cannot send", "[wechat]") {
    VendorMock mock([](const MockRequest& r) {
        if (r.path() == "/cgi-bin/stable_token") return token_reply("T");
        return MockReply{200, R"({"errcode":0,"errmsg":"ok","msgid":1})"};
    });
    auto adapter = adapter_for(base_settings(mock));
    wire::Job job = shipped_job();
    SECTION("no mapping for the template") {
        job.template_name = "password-reset";
        auto a = test::run_attempt(*adapter, job);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.provider_fault);  // another provider may have the template
        CHECK(a.code == "no_vendor_template");
        CHECK(a.message.find("'password-reset'") != std::string::npos);
    }
    SECTION("no template at all") {
        job.template_name.clear();
        auto a = test::run_attempt(*adapter, job);
        CHECK(a.code == "no_vendor_template");
        CHECK(a.provider_fault);
    }
    SECTION("data lacks a parameter") {
        job.data_json = R"({"item":"Desk lamp"})";
        auto a = test::run_attempt(*adapter, job);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK_FALSE(a.provider_fault);
        CHECK(a.code == "missing_data");
        CHECK(a.message.find("'order.total'") != std::string::npos);
    }
    SECTION("no openid") {
        job.to.clear();
        auto a = test::run_attempt(*adapter, job);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "missing_recipient");
    }
    SECTION("a payload that is not an object") {
        job.payload = "[1]";
        auto a = test::run_attempt(*adapter, job);
        CHECK(a.code == "invalid_payload");
    }
    CHECK(on_path(mock, kTemplatePath).empty());
}

TEST_CASE("wechat-template sends invalid UTF-8 replaced instead of throwing", "[wechat]") {
    VendorMock mock([](const MockRequest& r) {
        if (r.path() == "/cgi-bin/stable_token") return token_reply("T");
        return MockReply{200, R"({"errcode":0,"errmsg":"ok","msgid":1})"};
    });
    auto adapter = adapter_for(base_settings(mock));
    wire::Job job = shipped_job();
    job.to = "oUpF8u\xFF\xC3";  // data is parsed JSON (valid UTF-8); the openid is not checked
    channels::Attempt a;
    REQUIRE_NOTHROW(a = test::run_attempt(*adapter, job));
    CHECK(a.outcome == wire::Outcome::sent);
    auto sends = on_path(mock, kTemplatePath);
    REQUIRE(sends.size() == 1);
    CHECK(json::parse(sends[0].body)["touser"] == "oUpF8u\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("wechat-template merges a payload into the body", "[wechat]") {
    VendorMock mock([](const MockRequest& r) {
        if (r.path() == "/cgi-bin/stable_token") return token_reply("T");
        return MockReply{200, R"({"errcode":0,"errmsg":"ok","msgid":"abc"})"};
    });
    wire::Job job = shipped_job();
    job.payload =
        R"({"touser":"someone-else","data":{"thing1":{"value":"Lamp","color":"#173177"}}})";
    auto a = test::run_attempt(*adapter_for(base_settings(mock)), job);
    CHECK(a.provider_message_id == "abc");
    auto sends = on_path(mock, kTemplatePath);
    REQUIRE(sends.size() == 1);
    json b = json::parse(sends[0].body);
    CHECK(b["touser"] == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    CHECK(b["data"] == json{{"thing1", {{"value", "Lamp"}, {"color", "#173177"}}}});
    CHECK(b["template_id"] == "TPL_SHIPPED_01");
}

TEST_CASE("wechat-template settings errors name the provider and the key", "[wechat]") {
    json s = {{"type", "wechat-template"},
              {"app_id", "wx1234567890abcdef"},
              {"app_secret", "s3cret"},
              {"templates", {{"t", {{"code", "TPL"}, {"params", {{"thing1", "x"}}}}}}}};
    REQUIRE(channels::validate_provider(provider(s)));
    std::string key, expect;
    SECTION("app_id missing") {
        s.erase("app_id");
        key = "app_id", expect = "provider 'mp': 'app_id' is missing";
    }
    SECTION("app_id malformed") {
        s["app_id"] = "1234";
        key = "app_id", expect = "provider 'mp': 'app_id' must be the account's AppID";
    }
    SECTION("secret missing") {
        s.erase("app_secret");
        key = "app_secret", expect = "provider 'mp': 'app_secret' is missing";
    }
    SECTION("secret from a missing variable") {
        s["app_secret"] = "env:NOTIFY_TEST_NO_SUCH_VARIABLE_WX";
        key = "app_secret", expect = "provider 'mp': 'app_secret': ";
    }
    SECTION("unknown message kind") {
        s["message"] = "subscrbe";
        key = "message", expect = "did you mean 'subscribe'?";
    }
    SECTION("no templates") {
        s.erase("templates");
        key = "templates", expect = "provider 'mp': 'templates' is missing";
    }
    SECTION("positional params") {
        s["templates"]["t"]["params"] = {"x"};
        key = "templates.t.params", expect = "'templates.t.params' must be a table";
    }
    SECTION("an option the message kind does not take") {
        s["templates"]["t"]["page"] = "index";
        key = "templates.t.page",
        expect = "unknown key 'templates.t.page' for message \"template\"";
    }
    SECTION("pagepath without appid") {
        s["templates"]["t"]["miniprogram_pagepath"] = "index";
        key = "templates.t.miniprogram_pagepath", expect = "needs 'templates.t.miniprogram_appid'";
    }
    SECTION("a bad lang") {
        s["message"] = "miniprogram-subscribe";
        s["templates"]["t"]["lang"] = "zh_cn";
        key = "templates.t.lang", expect = "did you mean 'zh_CN'?";
    }
    SECTION("a bad url") {
        s["templates"]["t"]["url"] = "shop.example.com";
        key = "templates.t.url", expect = "'templates.t.url' must start with http:// or https://";
    }
    SECTION("unknown key") {
        s["appsecret"] = "x";
        key = "appsecret", expect = "unknown key 'appsecret', did you mean 'app_secret'?";
    }
    SECTION("bad endpoint") {
        s["endpoint"] = "ftp://api.weixin.qq.com";
        key = "endpoint", expect = "provider 'mp': 'endpoint' must start with http:// or https://";
    }
    auto st = channels::validate_provider(provider(s));
    REQUIRE_FALSE(st);
    CHECK(st.error().message.find(expect) != std::string::npos);
    CHECK(st.error().message.find("provider 'mp'") == 0);
    CHECK(st.error().field == key);
}
