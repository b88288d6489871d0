// Tests for the readers of vendors' receipts (channels/receipt.hpp): Twilio's
// signature against its published examples, the URL token of Tencent and
// Aliyun, notify's signed receipt and its time window, and which settings
// turn receipts on.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "channels/receipt.hpp"
#include "channels/webhook_payload.hpp"
#include "test_channel_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using namespace notify::test;
using channels::ReceiptRequest;

namespace {

// Twilio's published example of its request validation: auth token 12345,
// this URL, these fields.
const std::string kTwilioUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
const std::string kTwilioFields =
    "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%"
    "2B18005551212";

std::unique_ptr<channels::ReceiptReader> reader_of(const ProviderConfig& p) {
    auto r = channels::make_receipt_reader(p);
    REQUIRE(r);
    REQUIRE(*r);
    return std::move(*r);
}

std::unique_ptr<channels::ReceiptReader> twilio_reader() {
    return reader_of(provider_of("tw", {{"type", "twilio"},
                                        {"account_sid", "AC" + std::string(32, 'a')},
                                        {"auth_token", "12345"},
                                        {"from", "+15005550006"},
                                        {"status_callback", kTwilioUrl}}));
}

ReceiptRequest twilio_request(const std::string& body, const std::string& signature) {
    ReceiptRequest r;
    r.body = body;
    r.headers["x-twilio-signature"] = signature;
    return r;
}

std::string code_of(const Expected<std::vector<channels::Receipt>>& got) {
    return got ? std::string("ok") : got.error().code;
}

}  // namespace

TEST_CASE("Twilio's signature is checked as its examples show", "[receipts]") {
    auto reader = twilio_reader();
    // The example carries no MessageSid: a signature that passes leads to
    // "invalid_receipt", one that does not to "bad_signature".
    CHECK(code_of(reader->read(twilio_request(kTwilioFields, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))) ==
          "invalid_receipt");
    // Field order does not matter; a repeated field counts once per value.
    CHECK(code_of(reader->read(twilio_request(
              "To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE&From=%2B14158675309&"
              "Caller=%2B14158675309",
              "RSOYDt4T1cUTdK1PDd93/VVr8B8="))) == "invalid_receipt");
    CHECK(code_of(reader->read(
              twilio_request("Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234",
                             "IK+Dwps556ElfBT0I3Rgjkr1wJU="))) == "invalid_receipt");
    // Any change to a value, or another signature, or none.
    CHECK(code_of(reader->read(twilio_request(kTwilioFields + "&Digits=9",
                                              "RSOYDt4T1cUTdK1PDd93/VVr8B8="))) == "bad_signature");
    CHECK(code_of(reader->read(twilio_request(kTwilioFields, "RSOYDt4T1cUTdK1PDd93/VVr8B8"))) ==
          "bad_signature");
    ReceiptRequest unsigned_request;
    unsigned_request.body = kTwilioFields;
    CHECK(code_of(reader->read(unsigned_request)) == "bad_signature");
    CHECK(code_of(reader->read(twilio_request("a=%zz", "x"))) == "invalid_receipt");
}

TEST_CASE("Twilio statuses become receipts", "[receipts]") {
    const std::string url = "https://notify.example.com/v1/receipts/tw";
    auto reader = reader_of(provider_of("tw", {{"type", "twilio"},
                                               {"account_sid", "AC" + std::string(32, 'a')},
                                               {"auth_token", "tok"},
                                               {"from", "+15005550006"},
                                               {"status_callback", url}}));
    auto read = [&](const std::string& status, const std::string& extra = {}) {
        std::string body = "MessageSid=SM1&MessageStatus=" + status + extra;
        std::string signed_text = url;
        // Sorted: ErrorCode < MessageSid < MessageStatus.
        if (!extra.empty()) signed_text += "ErrorCode30003";
        signed_text += "MessageSidSM1MessageStatus" + status;
        return reader->read(
            twilio_request(body, util::base64(util::hmac_sha1("tok", signed_text))));
    };
    auto delivered = read("delivered");
    REQUIRE(delivered);
    REQUIRE(delivered->size() == 1);
    CHECK((*delivered)[0].message_id == "SM1");
    CHECK((*delivered)[0].status == "delivered");
    auto failed = read("undelivered", "&ErrorCode=30003");
    REQUIRE(failed);
    REQUIRE(failed->size() == 1);
    CHECK((*failed)[0].status == "failed");
    CHECK((*failed)[0].code == "30003");
    auto queued = read("sent");
    REQUIRE(queued);
    CHECK(queued->empty());
}

TEST_CASE("Tencent and Aliyun reports need the URL's token", "[receipts]") {
    auto tencent = reader_of(provider_from_toml(
        "tencent-sms",
        "secret_id = \"id\"\nsecret_key = \"k\"\nsdk_app_id = \"1400006666\"\nsign_name = "
        "\"s\"\nreceipt_secret = \"tok-1\"\n"));
    ReceiptRequest r;
    r.body = R"([{"sid":"2028:1","report_status":"SUCCESS","errmsg":"DELIVRD"},
                 {"sid":"2028:2","report_status":"FAIL","errmsg":"MK:0001","description":"x"}])";
    CHECK(code_of(tencent->read(r)) == "bad_signature");
    r.query["token"] = "tok-2";
    CHECK(code_of(tencent->read(r)) == "bad_signature");
    r.query["token"] = "tok-1";
    auto got = tencent->read(r);
    REQUIRE(got);
    REQUIRE(got->size() == 2);
    CHECK((*got)[0].status == "delivered");
    CHECK((*got)[1].status == "failed");
    CHECK((*got)[1].code == "MK:0001");
    CHECK(tencent->answer("{}").body == R"({"result":0,"errmsg":"OK"})");
    r.body = R"([{"sid":"2028:1","report_status":"MAYBE"}])";
    CHECK(code_of(tencent->read(r)) == "invalid_receipt");
    r.body = "[" + std::string("{\"sid\":\"1\",\"report_status\":\"FAIL\"},") + "1]";
    CHECK(code_of(tencent->read(r)) == "invalid_receipt");

    auto aliyun = reader_of(provider_from_toml(
        "aliyun-sms",
        "access_key_id = \"id\"\naccess_key_secret = \"k\"\nsign_name = \"s\"\nreceipt_secret = "
        "\"tok-1\"\n"));
    r.body = R"([{"biz_id":"9^0","out_id":"N1.0","success":false,"err_code":"IS_CLOSE"}])";
    got = aliyun->read(r);
    REQUIRE(got);
    REQUIRE(got->size() == 1);
    CHECK((*got)[0].delivery_id == "N1.0");
    CHECK((*got)[0].message_id == "9^0");
    CHECK((*got)[0].status == "failed");
    CHECK((*got)[0].code == "IS_CLOSE");
}

TEST_CASE("A signed receipt holds to its signature and five minutes", "[receipts]") {
    auto reader = reader_of(provider_of(
        "hook", {{"type", "webhook"}, {"url", "http://127.0.0.1:9/h"}, {"receipt_secret", "s3"}}));
    const Millis now = 1'800'000'000'000;
    auto request = [&](const std::string& body, long long ts, const std::string& secret) {
        ReceiptRequest r;
        r.body = body;
        r.now = now;
        r.headers["x-notify-timestamp"] = std::to_string(ts);
        r.headers["x-notify-signature"] =
            channels::webhook_signature(secret, std::to_string(ts), body);
        return r;
    };
    const std::string body = R"({"delivery_id":"N.0","status":"clicked"})";
    auto got = reader->read(request(body, now / 1000, "s3"));
    REQUIRE(got);
    CHECK((*got)[0].status == "clicked");
    CHECK(code_of(reader->read(request(body, now / 1000 - 301, "s3"))) == "bad_signature");
    CHECK(code_of(reader->read(request(body, now / 1000 + 301, "s3"))) == "bad_signature");
    CHECK(code_of(reader->read(request(body, now / 1000, "s4"))) == "bad_signature");
    CHECK(code_of(reader->read(request(R"({"status":"delivered"})", now / 1000, "s3"))) ==
          "invalid_receipt");
    std::string many = "[";
    for (int i = 0; i <= 1000; ++i) many += std::string(i ? "," : "") + body;
    CHECK(code_of(reader->read(request(many + "]", now / 1000, "s3"))) == "invalid_receipt");
}

TEST_CASE("Receipts are on only where their key is set", "[receipts]") {
    auto none = [](const ProviderConfig& p) {
        auto r = channels::make_receipt_reader(p);
        REQUIRE(r);
        return *r == nullptr;
    };
    CHECK(none(provider_of("hook", {{"type", "webhook"}, {"url", "http://127.0.0.1:9/h"}})));
    CHECK(none(provider_of("f", {{"type", "file"}, {"path", "/tmp/x"}})));
    CHECK(none(provider_of("tw", {{"type", "twilio"},
                                  {"account_sid", "AC" + std::string(32, 'a')},
                                  {"auth_token", "t"},
                                  {"from", "+15005550006"}})));
    CHECK(std::string(channels::receipt_key("twilio")) == "status_callback");
    CHECK(std::string(channels::receipt_key("smtp")) == "receipt_secret");
    CHECK(channels::receipt_key("slack") == nullptr);
    // A bad status_callback is refused where settings are checked.
    CHECK(settings_error(provider_of("tw", {{"type", "twilio"},
                                            {"account_sid", "AC" + std::string(32, 'a')},
                                            {"auth_token", "t"},
                                            {"from", "+15005550006"},
                                            {"status_callback", "ftp://x"}}))
              .find("status_callback") != std::string::npos);
}
