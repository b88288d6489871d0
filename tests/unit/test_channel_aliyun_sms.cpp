// Tests for the aliyun-sms adapter: the RPC signature (version 1) against the
// vendor's published example, SendSms requests checked against a mock that
// recomputes the signature and refuses a request whose signature does not
// match, the vendor's codes, and bad settings.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "channels/aliyun_signature.hpp"
#include "test_channel_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using namespace notify::test;

namespace {

// A port nothing listens on.
std::string closed_endpoint() {
    VendorMock gone([](const MockRequest&) { return MockReply{}; });
    return gone.base();
}

}  // namespace

TEST_CASE("aliyun RPC signature reproduces the published examples", "[sms]") {
    SECTION("Dysmsapi SendSms, GET") {
        channels::AliyunParams params = {
            {"AccessKeyId", "testId"},
            {"Action", "SendSms"},
            {"Format", "XML"},
            {"OutId", "123"},
            {"PhoneNumbers", "15300000001"},
            {"RegionId", "cn-hangzhou"},
            {"SignName", "阿里云短信测试专用"},
            {"SignatureMethod", "HMAC-SHA1"},
            {"SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"},
            {"SignatureVersion", "1.0"},
            {"TemplateCode", "SMS_71390007"},
            {"TemplateParam", R"({"customer":"test"})"},
            {"Timestamp", "2017-07-12T02:42:19Z"},
            {"Version", "2017-05-25"},
        };
        CHECK(channels::aliyun_canonical_query(params) ==
              "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&"
              "RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%"
              "8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-"
              "0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007&"
              "TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&"
              "Version=2017-05-25");
        CHECK(channels::aliyun_string_to_sign("GET", params) ==
              "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%"
              "26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%"
              "25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%"
              "25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%"
              "26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%"
              "26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%"
              "2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-"
              "25");
        CHECK(channels::aliyun_rpc_signature("GET", params, "testSecret") ==
              "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
        // A Signature already in the parameters is not signed.
        params["Signature"] = "zJDF+Lrzhj/ThnlvIToysFRq6t4=";
        CHECK(channels::aliyun_rpc_signature("GET", params, "testSecret") ==
              "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    }
    SECTION("DescribeDedicatedHosts, GET") {
        channels::AliyunParams params = {
            {"AccessKeyId", "testid"},
            {"Action", "DescribeDedicatedHosts"},
            {"Format", "JSON"},
            {"RegionId", "cn-beijing"},
            {"SignatureMethod", "HMAC-SHA1"},
            {"SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb"},
            {"SignatureVersion", "1.0"},
            {"Timestamp", "2023-03-13T08:34:30Z"},
            {"Version", "2014-05-26"},
        };
        CHECK(channels::aliyun_string_to_sign("GET", params) ==
              "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDedicatedHosts%26Format%3DJSON%"
              "26RegionId%3Dcn-beijing%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%"
              "3Dedb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0%26Timestamp%3D2023-03-"
              "13T08%253A34%253A30Z%26Version%3D2014-05-26");
        CHECK(channels::aliyun_rpc_signature("GET", params, "testsecret") ==
              "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");
    }
}

namespace {

const std::string kAliyunSecret = "aliyun-secret";

// Aliyun's check of a SendSms request: its signature, recomputed.
bool aliyun_signed(const MockRequest& r) {
    auto fields = form(r.body);
    std::string canonical;
    for (const auto& [name, value] : fields) {
        if (name == "Signature") continue;
        canonical += (canonical.empty() ? "" : "&") + encode(name) + "=" + encode(value);
    }
    std::string to_sign = r.method + "&" + encode("/") + "&" + encode(canonical);
    return fields["Signature"] == util::base64(util::hmac_sha1(kAliyunSecret + "&", to_sign));
}

struct AliyunMock {
    MockReply answer{
        200, R"({"Message":"OK","RequestId":"R1","BizId":"900619746936498440^0","Code":"OK"})"};
    VendorMock mock{[this](const MockRequest& r) {
        if (!aliyun_signed(r))
            return MockReply{400, R"({"Code":"SignatureDoesNotMatch","Message":"bad signature"})"};
        return answer;
    }};

    std::string keys(const std::string& extra = {}) const {
        return "endpoint = \"" + mock.base() +
               "\"\naccess_key_id = \"LTAI-test\"\naccess_key_secret = \"" + kAliyunSecret +
               "\"\nsign_name = \"阿里云短信测试\"\n" + extra +
               "[providers.p.templates.login-code]\ncode = \"SMS_71390007\"\n"
               "params = { code = \"code\", minutes = \"ttl.minutes\" }\n";
    }
};

}  // namespace

TEST_CASE("aliyun-sms sends a signed SendSms form", "[sms]") {
    AliyunMock vendor;
    auto sms = toml_adapter("aliyun-sms", vendor.keys());
    channels::Attempt a = run_attempt(*sms, sms_job("+8613800138000", kChineseBody));
    CHECK(a.outcome == wire::Outcome::sent);
    CHECK(a.provider_message_id == "900619746936498440^0");
    CHECK(a.code == "OK");
    // The size of what the phone shows: "【阿里云短信测试】" and the body's 20 characters.
    CHECK(a.detail == "length=29 segments=1 encoding=UCS-2");

    auto requests = vendor.mock.requests();
    REQUIRE(requests.size() == 1);
    const MockRequest& r = requests[0];
    CHECK(r.method == "POST");
    CHECK(r.target == "/");
    CHECK(r.header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(aliyun_signed(r));
    auto f = form(r.body);
    CHECK(f.size() == 15);
    CHECK(f["Action"] == "SendSms");
    CHECK(f["Version"] == "2017-05-25");
    CHECK(f["Format"] == "JSON");
    CHECK(f["AccessKeyId"] == "LTAI-test");
    CHECK(f["SignatureMethod"] == "HMAC-SHA1");
    CHECK(f["SignatureVersion"] == "1.0");
    CHECK(f["SignatureNonce"].size() == 32);
    CHECK(f["SignatureNonce"].find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(f["Timestamp"].size() == 20);
    CHECK(f["Timestamp"].back() == 'Z');
    auto at = util::parse_time(f["Timestamp"], util::now_ms());
    REQUIRE(at);
    CHECK(near_now(*at));
    CHECK(f["RegionId"] == "cn-hangzhou");
    CHECK(f["PhoneNumbers"] == "13800138000");
    CHECK(f["SignName"] == "阿里云短信测试");
    CHECK(f["TemplateCode"] == "SMS_71390007");
    CHECK(nlohmann::json::parse(f["TemplateParam"]) ==
          nlohmann::json{{"code", "123456"}, {"minutes", "5"}});
    CHECK(f["OutId"] == "n1.0");

    // A fresh nonce every request.
    run_attempt(*sms, sms_job("+8613800138000", "Your code is 123456"));
    requests = vendor.mock.requests();
    REQUIRE(requests.size() == 2);
    CHECK(form(requests[1].body)["SignatureNonce"] != f["SignatureNonce"]);
}

TEST_CASE("aliyun-sms classifies the vendor's codes", "[sms]") {
    AliyunMock vendor;
    auto sms = toml_adapter("aliyun-sms", vendor.keys("region = \"cn-shanghai\"\n"));
    auto answer = [&](int status, const std::string& code) {
        vendor.answer = {status, code.empty() ? ""
                                              : R"({"RequestId":"R","Message":"m )" + code +
                                                    R"(","Code":")" + code + R"("})"};
        return run_attempt(*sms, sms_job("+8613800138000", "Code 123456"));
    };
    // "【阿里云短信测试】Code 123456": the brackets are not GSM-7.
    const std::string detail = "length=20 segments=1 encoding=UCS-2";
    for (const char* code :
         {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "ServiceUnavailable", "InternalError"}) {
        auto a = answer(code[0] == 'S' ? 503 : 200, code);
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK_FALSE(a.provider_fault);
        CHECK(a.code == code);
        CHECK(a.message == std::string("m ") + code);
        CHECK(a.detail == detail);
    }
    // The recipient or the message: no provider could send it.
    for (const char* code :
         {"isv.MOBILE_NUMBER_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.SOMETHING_NEW"}) {
        auto a = answer(200, code);
        INFO(code);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK_FALSE(a.provider_fault);
        CHECK(a.code == code);
        CHECK(a.detail == detail);
    }
    // This account: permanent here, the channel's next provider may send it.
    for (const char* code :
         {"isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.AMOUNT_NOT_ENOUGH",
          "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Disabled", "isv.ACCOUNT_ABNORMAL",
          "isv.ACCOUNT_NOT_EXISTS", "SignatureDoesNotMatch"}) {
        auto a = answer(200, code);
        INFO(code);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.provider_fault);
        CHECK(a.code == code);
        CHECK(a.message == std::string("m ") + code);
        CHECK(a.detail == detail);
    }
    auto bare = answer(502, "");
    CHECK(bare.outcome == wire::Outcome::retryable);
    CHECK(bare.code == "502");
    CHECK(bare.detail == detail);
    vendor.answer = {200, "<html>proxy</html>"};
    auto odd = run_attempt(*sms, sms_job("+8613800138000", "Code 123456"));
    CHECK(odd.outcome == wire::Outcome::permanent);
    CHECK(odd.code == "bad_reply");
    CHECK(form(vendor.mock.requests().back().body)["RegionId"] == "cn-shanghai");

    // The mock refuses a wrong signature, as Aliyun does.
    auto wrong =
        toml_adapter("aliyun-sms", util::split(vendor.keys(), '\n')[0] +
                                       "\naccess_key_id = \"LTAI-test\"\n"
                                       "access_key_secret = \"other\"\nsign_name = \"s\"\n"
                                       "[providers.p.templates.login-code]\ncode = \"SMS_1\"\n");
    auto refused = run_attempt(*wrong, sms_job("+8613800138000", "x"));
    CHECK(refused.outcome == wire::Outcome::permanent);
    CHECK(refused.provider_fault);
    CHECK(refused.code == "SignatureDoesNotMatch");
    CHECK(refused.detail == "length=4 segments=1 encoding=UCS-2");  // "【s】x"
}

TEST_CASE("aliyun-sms refuses what it cannot send, before sending", "[sms]") {
    AliyunMock vendor;
    auto sms = toml_adapter("aliyun-sms", vendor.keys());
    const std::string detail = "length=20 segments=1 encoding=UCS-2";

    SECTION("a number outside mainland China") {
        // Another provider of the channel may send abroad.
        auto a = run_attempt(*sms, sms_job("+14155550100", "Code 123456"));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.provider_fault);
        CHECK(a.code == "unsupported_recipient");
        CHECK(a.message ==
              "'+14155550100' is not a mainland China number (+86); aliyun-sms sends abroad only "
              "with international = true");
        CHECK(a.detail == detail);
        // Not E.164: no provider could send it.
        auto b = run_attempt(*sms, sms_job("13800138000", "Code 123456"));
        CHECK(b.outcome == wire::Outcome::permanent);
        CHECK_FALSE(b.provider_fault);
        CHECK(b.code == "unsupported_recipient");
        CHECK(run_attempt(*sms, sms_job("+86", "Code 123456")).code == "unsupported_recipient");
        CHECK(vendor.mock.requests().empty());
    }
    SECTION("international numbers when allowed") {
        auto world = toml_adapter("aliyun-sms", vendor.keys("international = true\n"));
        CHECK(run_attempt(*world, sms_job("+14155550100", "x")).outcome == wire::Outcome::sent);
        CHECK(run_attempt(*world, sms_job("+8613800138000", "x")).outcome == wire::Outcome::sent);
        auto requests = vendor.mock.requests();
        REQUIRE(requests.size() == 2);
        CHECK(form(requests[0].body)["PhoneNumbers"] == "14155550100");
        CHECK(form(requests[1].body)["PhoneNumbers"] == "13800138000");
    }
    SECTION("a template without a vendor mapping") {
        auto job = sms_job("+8613800138000", "Code 123456");
        job.template_name = "login-cod";
        auto a = run_attempt(*sms, job);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.provider_fault);  // another provider may have the template
        CHECK(a.code == "no_vendor_template");
        CHECK(a.message ==
              "provider 'p' (aliyun-sms) has no vendor template code for template 'login-cod', "
              "did you mean 'login-code'?");
        CHECK(a.detail == detail);
        job.template_name.clear();
        auto none = run_attempt(*sms, job);
        CHECK(none.code == "no_vendor_template");
        CHECK(none.provider_fault);
        CHECK(vendor.mock.requests().empty());
    }
    SECTION("data without a template variable") {
        auto job = sms_job("+8613800138000", "Code 123456");
        job.data_json = R"({"code":"123456"})";
        auto a = run_attempt(*sms, job);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK_FALSE(a.provider_fault);
        CHECK(a.code == "missing_data");
        CHECK(a.message ==
              "data has no 'ttl.minutes' for the vendor template's parameter 'minutes'");
        CHECK(a.detail == detail);
        CHECK(vendor.mock.requests().empty());
    }
    SECTION("no connection") {
        auto gone =
            toml_adapter("aliyun-sms", "endpoint = \"" + closed_endpoint() +
                                           "\"\naccess_key_id = \"a\"\naccess_key_secret = "
                                           "\"b\"\nsign_name = \"s\"\n"
                                           "[providers.p.templates.login-code]\ncode = \"S\"\n");
        auto a = run_attempt(*gone, sms_job("+8613800138000", "Code 123456"));
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == "curl:7");
        CHECK(a.detail == "length=14 segments=1 encoding=UCS-2");  // "【s】Code 123456"
    }
}

TEST_CASE("aliyun-sms settings are checked, naming provider and key", "[sms]") {
    const std::string aliyun =
        "access_key_id = \"a\"\naccess_key_secret = \"b\"\nsign_name = "
        "\"s\"\n";
    const std::string ali_t = "[providers.p.templates.t]\ncode = \"SMS_1\"\n";
    CHECK(toml_problem("aliyun-sms", aliyun + ali_t) == "ok");
    CHECK(toml_problem("aliyun-sms", aliyun +
                                         "international = true\nregion = \"cn-beijing\"\n"
                                         "timeout = \"5s\"\n" +
                                         ali_t) == "ok");
    CHECK(toml_problem("aliyun-sms", "access_key_id = \"a\"\nsign_name = \"s\"\n" + ali_t) ==
          "provider 'p': 'access_key_secret' is missing");
    CHECK(toml_problem("aliyun-sms", "access_key_id = \"a\"\naccess_key_secret = \"b\"\n" +
                                         ali_t) == "provider 'p': 'sign_name' is missing");
    CHECK(toml_problem("aliyun-sms", aliyun + "internacional = true\n" + ali_t) ==
          "provider 'p': unknown key 'internacional', did you mean 'international'?");
    CHECK(toml_problem("aliyun-sms", aliyun + "international = \"yes\"\n" + ali_t) ==
          "provider 'p': 'international' must be true or false");
    CHECK(toml_problem("aliyun-sms", aliyun + "endpoint = \"ftp://127.0.0.1\"\n" + ali_t) ==
          "provider 'p': 'endpoint' must start with http:// or https://, not 'ftp://127.0.0.1'");
    CHECK(toml_problem("aliyun-sms", aliyun) ==
          "provider 'p': 'templates' is missing: aliyun-sms sends only templates registered at "
          "Aliyun (add [providers.p.templates.NAME] with 'code' and 'params')");
    CHECK(toml_problem("aliyun-sms", aliyun + ali_t + "params = [\"code\"]\n") ==
          "provider 'p': 'templates.t.params' must be a table (template parameter = data "
          "variable) for aliyun-sms, not a list");
    CHECK(toml_problem("aliyun-sms", aliyun + "[providers.p.templates.t]\nparams = {}\n") ==
          "provider 'p': 'templates.t.code' is missing");
}
