// Tests for the dingtalk-work-notice adapter against a mock of DingTalk's corp
// API on 127.0.0.1: requests field by field, the access token (fetched once,
// refreshed when refused, a split message resumed at the refused part), each
// class of vendor code and bad settings.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_channel_support.hpp"

using namespace notify;
using namespace notify::test;
using nlohmann::json;

namespace {

// DingTalk's corp API played for work notices: gettoken hands out "T1", "T2",
// ... (or `token_error`), and each send answers the next of `send_codes`
// ("0" when they run out) with task ids 1001, 1002, ...
struct WorkNoticeMock {
    std::atomic<int> tokens{0};
    std::atomic<int> sends{0};
    std::string token_error;  // an errcode gettoken answers instead of a token
    std::vector<std::string> send_codes;
    VendorMock mock{[this](const MockRequest& r) { return answer(r); }};

    MockReply answer(const MockRequest& r) {
        if (r.path() == "/gettoken") {
            if (!token_error.empty())
                return test::errcode_reply(token_error, "invalid appkey or appsecret");
            return MockReply{200, json{{"errcode", 0},
                                       {"errmsg", "ok"},
                                       {"access_token", "T" + std::to_string(++tokens)},
                                       {"expires_in", 7200}}
                                      .dump()};
        }
        size_t n = static_cast<size_t>(sends++);
        std::string code = n < send_codes.size() ? send_codes[n] : "0";
        if (code != "0") return test::errcode_reply(code, "code " + code);
        return MockReply{200, json{{"errcode", 0},
                                   {"errmsg", "ok"},
                                   {"task_id", 1001 + static_cast<int>(n)},
                                   {"request_id", "req" + std::to_string(n)}}
                                  .dump()};
    }
    std::vector<MockRequest> of(const std::string& path) const {
        std::vector<MockRequest> out;
        for (const auto& r : mock.requests())
            if (r.path() == path) out.push_back(r);
        return out;
    }
};

const std::string kSendPath = "/topapi/message/corpconversation/asyncsend_v2";

json notice_settings(const VendorMock& mock) {
    return {{"endpoint", mock.base()},
            {"app_key", "ding key"},
            {"app_secret", "s3cr&t"},
            {"agent_id", 2760123}};
}

}  // namespace

TEST_CASE("dingtalk work notice request", "[dingtalk]") {
    WorkNoticeMock vendor;
    auto adapter =
        adapter_of(provider_of("corp-app", "dingtalk-work-notice", notice_settings(vendor.mock)));

    SECTION("one token for two sends; user, department and everyone") {
        auto a = test::run_attempt(*adapter, job_to("manager7", "Disk full", "db1 at 95%"));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id == "1001");
        CHECK(a.code == "0");
        auto b = test::run_attempt(*adapter, job_to("dept:42", "", "all hands at 3pm"));
        CHECK(b.outcome == wire::Outcome::sent);
        CHECK(b.provider_message_id == "1002");
        test::run_attempt(*adapter, job_to("@all", "", "holiday tomorrow"));

        auto all = vendor.mock.requests();
        REQUIRE(all.size() == 4);
        const MockRequest& tok = all[0];
        CHECK(tok.method == "GET");
        CHECK(tok.path() == "/gettoken");
        CHECK(tok.query("appkey") == "ding%20key");
        CHECK(tok.query("appsecret") == "s3cr%26t");
        CHECK(vendor.of("/gettoken").size() == 1);

        auto sends = vendor.of(kSendPath);
        REQUIRE(sends.size() == 3);
        for (const auto& s : sends) {
            CHECK(s.method == "POST");
            CHECK(s.query("access_token") == "T1");
            CHECK(s.header("Content-Type").rfind("application/json", 0) == 0);
        }
        json first = json::parse(sends[0].body);
        CHECK(first.size() == 3);
        CHECK(first["agent_id"] == 2760123);
        CHECK(first["userid_list"] == "manager7");
        CHECK(first["msg"] ==
              json{{"msgtype", "text"}, {"text", {{"content", "Disk full\n\ndb1 at 95%"}}}});
        json second = json::parse(sends[1].body);
        CHECK(second["dept_id_list"] == "42");
        CHECK_FALSE(second.contains("userid_list"));
        CHECK(second["msg"]["text"]["content"] == "all hands at 3pm");
        json third = json::parse(sends[2].body);
        CHECK(third["to_all_user"] == true);
        CHECK_FALSE(third.contains("userid_list"));
        CHECK_FALSE(third.contains("dept_id_list"));
    }

    SECTION("markdown and payload messages") {
        auto md = adapter_of(provider_of("corp-app", "dingtalk-work-notice", [&] {
            json s = notice_settings(vendor.mock);
            s["msgtype"] = "markdown";
            return s;
        }()));
        test::run_attempt(*md, job_to("u1", "Weekly report", "## numbers\n- up 3%"));
        test::run_attempt(*md, job_to("u1", "", "## numbers\n- up 3%"));
        wire::Job job = job_to("u1", "", "");
        job.payload =
            R"({"msgtype":"action_card","action_card":{"title":"Approve",)"
            R"("markdown":"leave request","single_title":"Open","single_url":"https://x.example"}})";
        auto a = test::run_attempt(*md, job);
        CHECK(a.outcome == wire::Outcome::sent);
        auto sends = vendor.of(kSendPath);
        REQUIRE(sends.size() == 3);
        CHECK(json::parse(sends[0].body)["msg"] ==
              json{{"msgtype", "markdown"},
                   {"markdown", {{"title", "Weekly report"}, {"text", "## numbers\n- up 3%"}}}});
        CHECK(json::parse(sends[1].body)["msg"]["markdown"]["title"] == "## numbers");
        CHECK(json::parse(sends[2].body)["msg"] == json::parse(job.payload));
        CHECK(json::parse(sends[2].body)["agent_id"] == 2760123);
    }

    SECTION("a recipient it cannot send to fails without a request") {
        auto a = test::run_attempt(*adapter, job_to("", "", "x"));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "missing_recipient");
        auto b = test::run_attempt(*adapter, job_to("dept:sales", "", "x"));
        CHECK(b.outcome == wire::Outcome::permanent);
        CHECK(b.code == "invalid_recipient");
        CHECK(vendor.of(kSendPath).empty());
    }
}

TEST_CASE("dingtalk work notice access token", "[dingtalk]") {
    WorkNoticeMock vendor;
    auto adapter =
        adapter_of(provider_of("corp-app", "dingtalk-work-notice", notice_settings(vendor.mock)));

    SECTION("a send refused for an expired token fetches a new one and sends once more") {
        vendor.send_codes = {GENERATE(std::string("42001"), std::string("40014"))};
        auto a = test::run_attempt(*adapter, job_to("manager7", "", "hello"));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id == "1002");
        auto all = vendor.mock.requests();
        REQUIRE(all.size() == 4);
        CHECK(all[0].path() == "/gettoken");
        CHECK(all[1].path() == kSendPath);
        CHECK(all[1].query("access_token") == "T1");
        CHECK(all[2].path() == "/gettoken");
        CHECK(all[3].path() == kSendPath);
        CHECK(all[3].query("access_token") == "T2");
        CHECK(all[3].body == all[1].body);
        // The new token serves the next job without another fetch.
        test::run_attempt(*adapter, job_to("manager7", "", "again"));
        CHECK(vendor.of("/gettoken").size() == 2);
        CHECK(vendor.of(kSendPath).back().query("access_token") == "T2");
    }
    SECTION("refused twice: retryable, after one refresh only") {
        vendor.send_codes = {"42001", "42001"};
        auto a = test::run_attempt(*adapter, job_to("manager7", "", "hello"));
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == "42001");
        CHECK(vendor.of("/gettoken").size() == 2);
        CHECK(vendor.of(kSendPath).size() == 2);
    }
    SECTION("wrong app credentials fail over (permanent here) and nothing is sent") {
        vendor.token_error =
            GENERATE(std::string("40089"), std::string("40001"), std::string("60020"));
        auto a = test::run_attempt(*adapter, job_to("manager7", "", "hello"));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.provider_fault);
        CHECK(a.code == vendor.token_error);
        CHECK(a.message.find("invalid appkey or appsecret") != std::string::npos);
        CHECK(vendor.of(kSendPath).empty());
    }
    SECTION("a busy token endpoint is retryable") {
        vendor.token_error = "-1";
        auto a = test::run_attempt(*adapter, job_to("manager7", "", "hello"));
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK_FALSE(a.provider_fault);
        CHECK(a.code == "-1");
    }
    SECTION("a split message refused midway goes on from the refused part") {
        std::string body;
        for (int i = 0; body.size() < 5000; ++i) body += "entry " + std::to_string(i) + "\n";
        vendor.send_codes = {"0", "42001"};
        auto a = test::run_attempt(*adapter, job_to("manager7", "", body));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id == "1001");  // the first part's task
        auto all = vendor.mock.requests();
        auto sends = vendor.of(kSendPath);
        const size_t parts = sends.size() - 1;  // one part was sent twice
        REQUIRE(parts >= 3);
        CHECK(a.detail == "parts=" + std::to_string(parts));
        CHECK(vendor.of("/gettoken").size() == 2);
        CHECK(sends[1].body == sends[2].body);  // the refused part, sent again
        CHECK(sends[1].query("access_token") == "T1");
        CHECK(sends[2].query("access_token") == "T2");
        std::string joined;
        for (size_t i = 0; i < sends.size(); ++i) {
            CHECK(json::parse(sends[i].body)["msg"].dump().size() <= 2048);
            if (i != 1) joined += json::parse(sends[i].body)["msg"]["text"]["content"];
        }
        CHECK(joined == body);
    }
}

TEST_CASE("dingtalk work notice outcomes by errcode", "[dingtalk]") {
    WorkNoticeMock vendor;
    auto adapter =
        adapter_of(provider_of("corp-app", "dingtalk-work-notice", notice_settings(vendor.mock)));
    SECTION("busy or too fast is retryable") {
        vendor.send_codes = {GENERATE(std::string("88"), std::string("-1"))};
        auto a = test::run_attempt(*adapter, job_to("u1", "", "x"));
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == vendor.send_codes[0]);
        CHECK(a.message == "code " + vendor.send_codes[0]);
        CHECK(vendor.of("/gettoken").size() == 1);
    }
    SECTION("an unknown code is permanent") {
        vendor.send_codes = {"33012"};
        auto a = test::run_attempt(*adapter, job_to("u1", "", "x"));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK_FALSE(a.provider_fault);
        CHECK(a.code == "33012");
    }
    SECTION("a caller IP outside the app's allow-list fails over") {
        vendor.send_codes = {"60020"};
        auto a = test::run_attempt(*adapter, job_to("u1", "", "x"));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.provider_fault);
        CHECK(a.code == "60020");
    }
    SECTION("a text over the limit with overflow = reject") {
        auto strict = adapter_of(provider_of("corp-app", "dingtalk-work-notice", [&] {
            json s = notice_settings(vendor.mock);
            s["overflow"] = "reject";
            return s;
        }()));
        auto a = test::run_attempt(*strict, job_to("u1", "", std::string(3000, 'x')));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "too_long");
        CHECK(vendor.of(kSendPath).empty());
    }
}

TEST_CASE("dingtalk work notice settings", "[dingtalk]") {
    json base = {{"app_key", "k"}, {"app_secret", "s"}, {"agent_id", 12}};
    auto check = [](const json& settings) {
        return settings_error(provider_of("corp-app", "dingtalk-work-notice", settings));
    };
    CHECK(check(base) == "");
    SECTION("agent_id must be an integer") {
        base["agent_id"] = "12a";
        CHECK(check(base) == "provider 'corp-app': 'agent_id' must be an integer");
        base["agent_id"] = -3;
        CHECK(check(base) == "provider 'corp-app': 'agent_id' must be a positive integer");
        base.erase("agent_id");
        CHECK(check(base) == "provider 'corp-app': 'agent_id' is missing");
    }
    SECTION("the app's key and secret are required") {
        base.erase("app_key");
        CHECK(check(base) == "provider 'corp-app': 'app_key' is missing");
        base["app_key"] = "k";
        base.erase("app_secret");
        CHECK(check(base) == "provider 'corp-app': 'app_secret' is missing");
    }
    SECTION("msgtype and overflow") {
        base["msgtype"] = "oa";
        CHECK(check(base).rfind("provider 'corp-app': 'msgtype' must be", 0) == 0);
        base["msgtype"] = "text";
        base["overflow"] = "drop";
        CHECK(check(base).rfind("provider 'corp-app': 'overflow' must be", 0) == 0);
    }
}
