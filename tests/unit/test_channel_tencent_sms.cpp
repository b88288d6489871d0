// Tests for the tencent-sms adapter: the TC3-HMAC-SHA256 signature against the
// vendor's published example, SendSms requests checked against a mock that
// recomputes the Authorization, request-level and per-number codes, and bad
// settings.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "channels/tc3_signature.hpp"
#include "test_channel_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using namespace notify::test;

namespace {

std::string from_hex(std::string_view hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}

std::string utc_date(long long seconds) {
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

}  // namespace

TEST_CASE("TC3 signature reproduces the published examples", "[sms]") {
    const std::string key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    channels::Tc3Request cvm;
    cvm.payload =
        R"({"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]})";
    cvm.headers = {{"Content-Type", "application/json; charset=utf-8"},
                   {"Host", "cvm.tencentcloudapi.com"}};
    CHECK(channels::tc3_date(1551113065) == "2019-02-25");

    SECTION("A: POST, content-type;host") {
        CHECK(channels::tc3_signed_headers(cvm) == "content-type;host");
        std::string canonical = channels::tc3_canonical_request(cvm);
        CHECK(canonical ==
              "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi."
              "com\n\ncontent-type;host\n"
              "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
        CHECK(util::hex(util::sha256(canonical)) ==
              "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031");
        std::string to_sign = channels::tc3_string_to_sign(1551113065, "cvm", canonical);
        CHECK(to_sign ==
              "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
              "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031");
        std::string signing = channels::tc3_signing_key(key, "2019-02-25", "cvm");
        CHECK(util::hex(signing) ==
              "ac658d5dde49e9bfdd14e04e062f66b05d9f637d44b8a8d845327d4a77f666b1");
        CHECK(channels::tc3_signature(signing, to_sign) ==
              "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
        CHECK(channels::tc3_authorization("AKIDEXAMPLE", key, 1551113065, "cvm", cvm) ==
              "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/cvm/tc3_request, "
              "SignedHeaders=content-type;host, "
              "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
    }
    SECTION("B: POST, content-type;host;x-tc-action, with the published signing key") {
        cvm.headers.emplace_back("X-TC-Action", "DescribeInstances");
        CHECK(channels::tc3_signed_headers(cvm) == "content-type;host;x-tc-action");
        std::string canonical = channels::tc3_canonical_request(cvm);
        CHECK(util::hex(util::sha256(canonical)) ==
              "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84");
        std::string to_sign = channels::tc3_string_to_sign(1551113065, "cvm", canonical);
        CHECK(channels::tc3_signature(
                  from_hex("b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"),
                  to_sign) == "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f");
        CHECK(
            channels::tc3_signature(channels::tc3_signing_key(key, "2019-02-25", "cvm"), to_sign) ==
            "644be983de9a8a3f00db8eadaba61467c3b429e2215758ba897b738ca469fd26");
    }
    SECTION("C: GET with a query") {
        channels::Tc3Request get;
        get.method = "GET";
        get.query = "Limit=10&Offset=0";
        get.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Host", "cvm.tencentcloudapi.com"}};
        std::string canonical = channels::tc3_canonical_request(get);
        CHECK(util::hex(util::sha256(canonical)) ==
              "91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7");
        CHECK(channels::tc3_date(1539084154) == "2018-10-09");
        CHECK(channels::tc3_signature(channels::tc3_signing_key(key, "2018-10-09", "cvm"),
                                      channels::tc3_string_to_sign(1539084154, "cvm", canonical)) ==
              "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474");
    }
    SECTION("SMS SendSms") {
        channels::Tc3Request sms;
        sms.payload =
            R"({"SmsSdkAppId": "1400006666", "SignName": "\u817e\u8baf\u4e91", "TemplateId": "1234", "TemplateParamSet": ["12345"], "PhoneNumberSet": ["+8618511122266"], "SessionContext": "test"})";
        sms.headers = {{"X-TC-Action", "SendSms"},
                       {"Host", "sms.tencentcloudapi.com"},
                       {"Content-Type", "application/json; charset=utf-8"}};
        CHECK(util::hex(util::sha256(sms.payload)) ==
              "cbd7dc0174ee2f6079d5b7c7faf57d7175be362c4cf6821e7494763a1d943136");
        std::string canonical = channels::tc3_canonical_request(sms);
        CHECK(util::hex(util::sha256(canonical)) ==
              "c1c09c3bbbed55dc30f0b46d42361b440df84f229ad97c083a23a6ae17257ca4");
        std::string signing = channels::tc3_signing_key(key, "2019-02-25", "sms");
        CHECK(util::hex(signing) ==
              "40058bf55f59e334e3a85c4564edb55159f3aedecb70a3515bb9de63de33bed1");
        CHECK(channels::tc3_signature(signing,
                                      channels::tc3_string_to_sign(1551113065, "sms", canonical)) ==
              "5aed0a4fd1669e6402592a4236dd33a23eff55b5d175afdc98d9a66a1992408b");
    }
}

namespace {

const std::string kTencentKey = "tencent-secret-key";

// Tencent's check of a request: the TC3 Authorization, recomputed.
std::string tencent_authorization(const MockRequest& r) {
    std::string canonical = r.method + "\n/\n\ncontent-type:" + r.header("Content-Type") +
                            "\nhost:" + r.header("Host") +
                            "\nx-tc-action:" + util::to_lower(r.header("X-TC-Action")) +
                            "\n\ncontent-type;host;x-tc-action\n" + util::hex(util::sha256(r.body));
    std::string timestamp = r.header("X-TC-Timestamp");
    std::string date = utc_date(std::stoll(timestamp));
    std::string to_sign = "TC3-HMAC-SHA256\n" + timestamp + "\n" + date + "/sms/tc3_request\n" +
                          util::hex(util::sha256(canonical));
    std::string k = util::hmac_sha256("TC3" + kTencentKey, date);
    k = util::hmac_sha256(k, "sms");
    k = util::hmac_sha256(k, "tc3_request");
    return "TC3-HMAC-SHA256 Credential=AKIDtest/" + date +
           "/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=" +
           util::hex(util::hmac_sha256(k, to_sign));
}

struct TencentMock {
    MockReply answer{
        200,
        R"({"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613800138000","Fee":1,"SessionContext":"n1.0","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6"}})"};
    VendorMock mock{[this](const MockRequest& r) {
        if (r.header("Authorization") != tencent_authorization(r))
            return MockReply{
                200,
                R"({"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"x"}})"};
        return answer;
    }};

    std::string keys(const std::string& extra = {}) const {
        return "endpoint = \"" + mock.base() + "\"\nsecret_id = \"AKIDtest\"\nsecret_key = \"" +
               kTencentKey + "\"\nsdk_app_id = \"1400006666\"\nsign_name = \"腾讯云\"\n" + extra +
               "[providers.p.templates.login-code]\ncode = \"1234\"\n"
               "params = [\"code\", \"ttl.minutes\"]\n";
    }
};

}  // namespace

TEST_CASE("tencent-sms sends a TC3-signed SendSms", "[sms]") {
    TencentMock vendor;
    auto sms = toml_adapter("tencent-sms", vendor.keys());
    auto a = run_attempt(*sms, sms_job("+8613800138000", kChineseBody));
    CHECK(a.outcome == wire::Outcome::sent);
    CHECK(a.provider_message_id == "5000:1045710669157053657849499619");
    CHECK(a.code == "Ok");
    // The size of what the phone shows: "【腾讯云】" and the 20 characters of the body.
    CHECK(a.detail == "length=25 segments=1 encoding=UCS-2");

    auto requests = vendor.mock.requests();
    REQUIRE(requests.size() == 1);
    const MockRequest& r = requests[0];
    CHECK(r.method == "POST");
    CHECK(r.target == "/");
    CHECK(r.header("Content-Type") == "application/json; charset=utf-8");
    CHECK(r.header("Host") == vendor.mock.base().substr(7));
    CHECK(r.header("X-TC-Action") == "SendSms");
    CHECK(r.header("X-TC-Version") == "2021-01-11");
    CHECK(r.header("X-TC-Region") == "ap-guangzhou");
    CHECK(near_now(std::stoll(r.header("X-TC-Timestamp")) * 1000));
    CHECK(r.header("Authorization") == tencent_authorization(r));
    auto body = nlohmann::json::parse(r.body);
    CHECK(body == nlohmann::json{{"PhoneNumberSet", {"+8613800138000"}},
                                 {"SmsSdkAppId", "1400006666"},
                                 {"SignName", "腾讯云"},
                                 {"TemplateId", "1234"},
                                 {"TemplateParamSet", {"123456", "5"}},
                                 {"SessionContext", "n1.0"}});
}

TEST_CASE("tencent-sms classifies request and per-number codes", "[sms]") {
    TencentMock vendor;
    auto sms = toml_adapter("tencent-sms", vendor.keys("region = \"ap-beijing\"\n"));
    auto request_error = [&](const std::string& code) {
        vendor.answer = {200, R"({"Response":{"Error":{"Code":")" + code +
                                  R"(","Message":"m"},"RequestId":"r"}})"};
        return run_attempt(*sms, sms_job("+8613800138000", "Code 1"));
    };
    auto number_error = [&](const std::string& code) {
        vendor.answer = {
            200,
            R"({"Response":{"SendStatusSet":[{"SerialNo":"","PhoneNumber":"+8613800138000","Fee":0,"Code":")" +
                code + R"(","Message":"m","IsoCode":"CN"}],"RequestId":"r"}})"};
        return run_attempt(*sms, sms_job("+8613800138000", "Code 1"));
    };
    struct Case {
        std::string code;
        bool per_number;
        wire::Outcome outcome;
        Millis retry_after;
        bool provider_fault = false;  // permanent for this provider: fails over
    };
    const Millis hour = 3600 * 1000;
    const std::vector<Case> cases = {
        {"AuthFailure.SecretIdNotFound", false, wire::Outcome::permanent, 0, true},
        {"AuthFailure.UnauthorizedOperation", false, wire::Outcome::permanent, 0, true},
        {"UnauthorizedOperation.SmsSdkAppIdVerifyFail", false, wire::Outcome::permanent, 0, true},
        {"AuthFailure.SignatureExpire", false, wire::Outcome::retryable, 0},
        {"LimitExceeded.AppDailyLimit", false, wire::Outcome::retryable, hour},
        {"InternalError.Timeout", false, wire::Outcome::retryable, 0},
        {"RequestLimitExceeded", false, wire::Outcome::retryable, 0},
        {"MissingParameter.EmptyPhoneNumberSet", false, wire::Outcome::permanent, 0},
        {"LimitExceeded.PhoneNumberDailyLimit", true, wire::Outcome::retryable, hour},
        {"LimitExceeded.PhoneNumberOneHourLimit", true, wire::Outcome::retryable, hour},
        {"LimitExceeded.PhoneNumberThirtySecondLimit", true, wire::Outcome::retryable, 30000},
        {"InvalidParameterValue.IncorrectPhoneNumber", true, wire::Outcome::permanent, 0},
        {"FailedOperation.TemplateIncorrectOrUnapproved", true, wire::Outcome::permanent, 0, true},
        {"FailedOperation.SignatureIncorrectOrUnapproved", true, wire::Outcome::permanent, 0, true},
        {"FailedOperation.InsufficientBalanceInSmsPackage", false, wire::Outcome::permanent, 0,
         true},
        {"FailedOperation.PhoneNumberInBlacklist", true, wire::Outcome::permanent, 0},
    };
    for (const auto& c : cases) {
        INFO(c.code);
        auto a = c.per_number ? number_error(c.code) : request_error(c.code);
        CHECK(a.outcome == c.outcome);
        CHECK(a.provider_fault == c.provider_fault);
        CHECK(a.code == c.code);
        CHECK(a.message == "m");
        CHECK(a.retry_after == c.retry_after);
        // "【腾讯云】Code 1": the brackets are not GSM-7.
        CHECK(a.detail == "length=11 segments=1 encoding=UCS-2");
    }
    CHECK(vendor.mock.requests().back().header("X-TC-Region") == "ap-beijing");
    vendor.answer = {503, ""};
    auto bare = run_attempt(*sms, sms_job("+8613800138000", "Code 1"));
    CHECK(bare.outcome == wire::Outcome::retryable);
    CHECK(bare.code == "503");

    // The mock refuses a wrong signature.
    auto wrong =
        toml_adapter("tencent-sms", "endpoint = \"" + vendor.mock.base() +
                                        "\"\nsecret_id = \"AKIDtest\"\nsecret_key = \"x\"\n"
                                        "sdk_app_id = \"1400006666\"\n"
                                        "[providers.p.templates.login-code]\ncode = \"1\"\n");
    auto refused = run_attempt(*wrong, sms_job("+8613800138000", "x"));
    CHECK(refused.outcome == wire::Outcome::permanent);
    CHECK(refused.provider_fault);
    CHECK(refused.code == "AuthFailure.SignatureFailure");
    CHECK(refused.detail == "length=1 segments=1 encoding=GSM-7");  // no sign_name: the body
    auto unsigned_body = nlohmann::json::parse(vendor.mock.requests().back().body);
    CHECK_FALSE(unsigned_body.contains("SignName"));
    CHECK(unsigned_body["TemplateParamSet"] == nlohmann::json::array());

    auto job = sms_job("+8613800138000", "x");
    job.template_name = "signup";
    auto unmapped = run_attempt(*sms, job);
    CHECK(unmapped.code == "no_vendor_template");
    CHECK(unmapped.outcome == wire::Outcome::permanent);
    CHECK(unmapped.provider_fault);  // another provider may have the template
    job = sms_job("+8613800138000", "x");
    job.data_json = R"({"ttl":{"minutes":5}})";
    auto no_data = run_attempt(*sms, job);
    CHECK(no_data.message == "data has no 'code' for the vendor template's parameter '1'");
    CHECK_FALSE(no_data.provider_fault);
    auto not_e164 = run_attempt(*sms, sms_job("8613800138000", "x"));
    CHECK(not_e164.code == "unsupported_recipient");
    CHECK(not_e164.outcome == wire::Outcome::permanent);
    CHECK_FALSE(not_e164.provider_fault);
}

TEST_CASE("tencent-sms settings are checked, naming provider and key", "[sms]") {
    const std::string tencent =
        "secret_id = \"AKID\"\nsecret_key = \"k\"\nsdk_app_id = "
        "\"1400006666\"\n";
    const std::string tc_t = "[providers.p.templates.t]\ncode = \"1234\"\nparams = [\"code\"]\n";
    CHECK(toml_problem("tencent-sms", tencent + tc_t) == "ok");
    CHECK(toml_problem("tencent-sms",
                       "secret_id = \"AKID\"\nsecret_key = \"k\"\nsdk_app_id = "
                       "1400006666\nregion = \"ap-nanjing\"\n" +
                           tc_t) == "ok");
    CHECK(toml_problem("tencent-sms",
                       "secret_id = \"AKID\"\nsecret_key = \"k\"\nsdk_app_id = "
                       "\"app-1\"\n" +
                           tc_t) ==
          "provider 'p': 'sdk_app_id' must be the SMS application's digits, such as "
          "\"1400006666\", not 'app-1'");
    CHECK(toml_problem("tencent-sms", "secret_id = \"AKID\"\nsdk_app_id = \"1\"\n" + tc_t) ==
          "provider 'p': 'secret_key' is missing");
    CHECK(toml_problem("tencent-sms", tencent + "[providers.p.templates.t]\ncode = \"1234\"\n"
                                                "params = { code = \"code\" }\n") ==
          "provider 'p': 'templates.t.params' must be a list of data variables for tencent-sms "
          "(TemplateParamSet is positional)");
    unsetenv("NOTIFY_TEST_NO_TC_KEY");
    CHECK(toml_problem("tencent-sms",
                       "secret_id = \"AKID\"\nsecret_key = \"env:NOTIFY_TEST_NO_TC_KEY\"\n"
                       "sdk_app_id = \"1\"\n" +
                           tc_t) ==
          "provider 'p': 'secret_key': environment variable 'NOTIFY_TEST_NO_TC_KEY' is not set");
}
