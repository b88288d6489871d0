// Tests for the twilio adapter (the Messages API form with HTTP Basic, long
// bodies split, error codes and statuses, bad settings) and for the SMS
// length and segment count every SMS adapter records.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "channels/sms_size.hpp"
#include "test_channel_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using namespace notify::test;

TEST_CASE("sms_size counts septets or UTF-16 units and segments", "[sms]") {
    auto size = [](const std::string& text) {
        return channels::describe(channels::sms_size(text));
    };
    const std::string euro = "\xE2\x82\xAC";
    CHECK(size("") == "length=0 segments=0 encoding=GSM-7");
    CHECK(size("Hello @world") == "length=12 segments=1 encoding=GSM-7");
    CHECK(size(std::string(160, 'a')) == "length=160 segments=1 encoding=GSM-7");
    CHECK(size(std::string(161, 'a')) == "length=161 segments=2 encoding=GSM-7");
    CHECK(size(std::string(306, 'a')) == "length=306 segments=2 encoding=GSM-7");
    CHECK(size(std::string(307, 'a')) == "length=307 segments=3 encoding=GSM-7");
    // Extension characters take two septets.
    CHECK(size(euro) == "length=2 segments=1 encoding=GSM-7");
    CHECK(size(euro + std::string(158, 'a')) == "length=160 segments=1 encoding=GSM-7");
    CHECK(size(euro + std::string(159, 'a')) == "length=161 segments=2 encoding=GSM-7");
    CHECK(size("[x]{y}~|^\\") == "length=18 segments=1 encoding=GSM-7");
    // Basic-table letters beyond ASCII stay GSM-7; others switch to UCS-2.
    CHECK(size("\xC3\xA9t\xC3\xA9 \xC3\x85 \xCE\xA9") == "length=7 segments=1 encoding=GSM-7");
    CHECK(size(std::string(69, 'a') + "\xC3\xA7") == "length=70 segments=1 encoding=UCS-2");
    CHECK(size("a`b") == "length=3 segments=1 encoding=UCS-2");
    CHECK(size("tab\there") == "length=8 segments=1 encoding=UCS-2");
    CHECK(size(std::string("a\0b", 3)) == "length=3 segments=1 encoding=UCS-2");
    // UCS-2: 70 in one segment, 67 per segment beyond.
    std::string zh70, zh71, zh134, zh135;
    for (int i = 0; i < 70; ++i) zh70 += "中";
    zh71 = zh70 + "文";
    for (int i = 0; i < 134; ++i) zh134 += "中";
    zh135 = zh134 + "文";
    CHECK(size(zh70) == "length=70 segments=1 encoding=UCS-2");
    CHECK(size(zh71) == "length=71 segments=2 encoding=UCS-2");
    CHECK(size(zh134) == "length=134 segments=2 encoding=UCS-2");
    CHECK(size(zh135) == "length=135 segments=3 encoding=UCS-2");
    CHECK(size(kChineseBody) == "length=20 segments=1 encoding=UCS-2");
    // A character outside the BMP takes two UTF-16 units.
    CHECK(size("ok \xF0\x9F\x98\x80") == "length=5 segments=1 encoding=UCS-2");
    // Invalid UTF-8 is one replacement character per bad byte.
    CHECK(size("a\xFF") == "length=2 segments=1 encoding=UCS-2");
    auto s = channels::sms_size(zh71);
    CHECK(s.characters == 71);
    CHECK(s.segments == 2);
    CHECK(s.encoding == channels::SmsEncoding::ucs2);
}

namespace {

const std::string kSid = "AC0123456789abcdef0123456789abcdef";

struct TwilioMock {
    std::vector<MockReply> answers;  // in order; the last one repeats
    size_t next = 0;
    VendorMock mock{[this](const MockRequest&) {
        MockReply reply = answers.at(std::min(next, answers.size() - 1));
        ++next;
        return reply;
    }};

    std::string keys(const std::string& extra = "from = \"+15005550006\"\n") const {
        return "endpoint = \"" + mock.base() + "\"\naccount_sid = \"" + kSid +
               "\"\nauth_token = \"tok\"\n" + extra;
    }
};

MockReply with_header(MockReply reply, const std::string& line) {
    reply.headers.push_back(line);
    return reply;
}

MockReply twilio_sent(const std::string& sid) {
    return {201,
            R"({"sid":")" + sid + R"(","status":"queued","num_segments":"1","error_code":null})"};
}

}  // namespace

TEST_CASE("twilio posts the message form with HTTP Basic", "[sms]") {
    TwilioMock vendor;
    vendor.answers = {twilio_sent("SM0123456789abcdef0123456789abcdef")};
    auto sms = toml_adapter("twilio", vendor.keys());
    std::string body = "Deploy finished: 3 hosts, 0 failures \xE2\x82\xAC";
    auto a = run_attempt(*sms, sms_job("+14155550100", body));
    CHECK(a.outcome == wire::Outcome::sent);
    CHECK(a.provider_message_id == "SM0123456789abcdef0123456789abcdef");
    CHECK(a.code == "201");
    CHECK(a.detail == "length=39 segments=1 encoding=GSM-7");
    auto requests = vendor.mock.requests();
    REQUIRE(requests.size() == 1);
    const MockRequest& r = requests[0];
    CHECK(r.method == "POST");
    CHECK(r.target == "/2010-04-01/Accounts/" + kSid + "/Messages.json");
    CHECK(r.header("Authorization") == "Basic " + util::base64(kSid + ":tok"));
    CHECK(r.header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(form(r.body) == std::map<std::string, std::string>{
                              {"To", "+14155550100"}, {"From", "+15005550006"}, {"Body", body}});

    auto service = toml_adapter("twilio", vendor.keys("messaging_service_sid = "
                                                      "\"MG0123456789abcdef0123456789abcdef\"\n"));
    CHECK(run_attempt(*service, sms_job("+14155550100", "hi")).outcome == wire::Outcome::sent);
    CHECK(form(vendor.mock.requests().back().body) ==
          std::map<std::string, std::string>{
              {"To", "+14155550100"},
              {"MessagingServiceSid", "MG0123456789abcdef0123456789abcdef"},
              {"Body", "hi"}});
}

TEST_CASE("twilio splits a body over 1600 characters", "[sms]") {
    TwilioMock vendor;
    std::string body;
    for (int i = 0; i < 400; ++i)
        body += "line " + std::to_string(1000 + i) + "\n";  // 4000 characters
    SECTION("split: every part sent, the first sid kept") {
        vendor.answers = {twilio_sent("SM1"), twilio_sent("SM2"), twilio_sent("SM3")};
        auto sms = toml_adapter("twilio", vendor.keys());
        auto a = run_attempt(*sms, sms_job("+14155550100", body));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id == "SM1");
        CHECK(a.detail == "length=4000 segments=27 encoding=GSM-7 parts=3");
        auto requests = vendor.mock.requests();
        REQUIRE(requests.size() == 3);
        std::string joined;
        for (const auto& r : requests) {
            std::string part = form(r.body)["Body"];
            CHECK(part.size() <= 1600);
            joined += part;
        }
        CHECK(joined == body);
    }
    SECTION("split: a part refused ends the attempt") {
        vendor.answers = {
            twilio_sent("SM1"),
            with_header(
                MockReply(429, R"({"code":20429,"message":"Too Many Requests","status":429})"),
                "Retry-After: 7")};
        auto sms = toml_adapter("twilio", vendor.keys());
        auto a = run_attempt(*sms, sms_job("+14155550100", body));
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == "20429");
        CHECK(a.message == "Too Many Requests");
        CHECK(a.retry_after == 7000);
        CHECK(a.detail == "length=4000 segments=27 encoding=GSM-7 parts=3 sent_parts=1/3");
        CHECK(vendor.mock.requests().size() == 2);
    }
    SECTION("truncate and reject") {
        vendor.answers = {twilio_sent("SM1")};
        auto cut =
            toml_adapter("twilio", vendor.keys("from = \"Notify\"\noverflow = \"truncate\"\n"));
        auto a = run_attempt(*cut, sms_job("+14155550100", body));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.detail == "length=4000 segments=27 encoding=GSM-7 truncated=4000/1600");
        CHECK(form(vendor.mock.requests().back().body)["From"] == "Notify");
        auto no = toml_adapter("twilio", vendor.keys("from = \"Notify\"\noverflow = \"reject\"\n"));
        auto b = run_attempt(*no, sms_job("+14155550100", body));
        CHECK(b.outcome == wire::Outcome::permanent);
        CHECK(b.code == "too_long");
        CHECK(b.detail == "length=4000 segments=27 encoding=GSM-7");
        CHECK(vendor.mock.requests().size() == 1);
    }
}

TEST_CASE("twilio classifies error codes and statuses", "[sms]") {
    TwilioMock vendor;
    auto sms = toml_adapter("twilio", vendor.keys());
    auto answer = [&](MockReply reply) {
        vendor.answers = {std::move(reply)};
        vendor.next = 0;
        return run_attempt(*sms, sms_job("+14155550100", "hi"));
    };
    auto error = [](int status, int code) {
        return MockReply{
            status, R"({"code":)" + std::to_string(code) +
                        R"(,"message":"m","more_info":"https://www.twilio.com/docs/errors/)" +
                        std::to_string(code) + R"(","status":)" + std::to_string(status) + "}"};
    };
    // The recipient: no provider could send it.
    for (int code : {21211, 21614, 21610}) {
        auto a = answer(error(400, code));
        INFO(code);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK_FALSE(a.provider_fault);
        CHECK(a.code == std::to_string(code));
        CHECK(a.message == "m");
        CHECK(a.detail == "length=2 segments=1 encoding=GSM-7");
    }
    // This account (its From, its regions): the channel's next provider may send it.
    for (int code : {21408, 21606}) {
        auto a = answer(error(400, code));
        INFO(code);
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.provider_fault);
        CHECK(a.code == std::to_string(code));
        CHECK(a.detail == "length=2 segments=1 encoding=GSM-7");
    }
    auto auth = answer(error(401, 20003));
    CHECK(auth.outcome == wire::Outcome::permanent);
    CHECK(auth.provider_fault);
    CHECK(auth.code == "20003");
    auto busy = answer(error(503, 20500));
    CHECK(busy.outcome == wire::Outcome::retryable);
    CHECK_FALSE(busy.provider_fault);
    CHECK(busy.code == "20500");
    auto bare = answer({500, ""});
    CHECK(bare.outcome == wire::Outcome::retryable);
    CHECK(bare.code == "500");
    auto limited = answer(with_header(MockReply(429, ""), "Retry-After: 30"));
    CHECK(limited.outcome == wire::Outcome::retryable);
    CHECK(limited.retry_after == 30000);
    auto unknown = answer(error(400, 21602));
    CHECK(unknown.outcome == wire::Outcome::permanent);
    CHECK_FALSE(unknown.provider_fault);
    auto bad_to = run_attempt(*sms, sms_job("0044 20 7946 0000", "hi"));
    CHECK(bad_to.code == "unsupported_recipient");
    CHECK_FALSE(bad_to.provider_fault);
}

TEST_CASE("twilio settings are checked, naming provider and key", "[sms]") {
    const std::string twilio = "account_sid = \"" + kSid + "\"\nauth_token = \"t\"\n";
    CHECK(toml_problem("twilio", twilio + "from = \"+15005550006\"\n") == "ok");
    CHECK(toml_problem("twilio",
                       twilio + "messaging_service_sid = \"MG0123456789abcdef0123456789abcdef\"\n"
                                "overflow = \"reject\"\n") == "ok");
    CHECK(toml_problem("twilio", twilio) ==
          "provider 'p': set one of 'from' and 'messaging_service_sid'");
    CHECK(toml_problem("twilio",
                       twilio +
                           "from = \"+15005550006\"\n"
                           "messaging_service_sid = \"MG0123456789abcdef0123456789abcdef\"\n") ==
          "provider 'p': set only one of 'from' and 'messaging_service_sid'");
    CHECK(toml_problem("twilio", "account_sid = \"AC1\"\nauth_token = \"t\"\nfrom = \"x\"\n") ==
          "provider 'p': 'account_sid' must be 'AC' and 32 hexadecimal digits, not 'AC1'");
    CHECK(
        toml_problem("twilio", twilio + "messaging_service_sid = \"MX1\"\n") ==
        "provider 'p': 'messaging_service_sid' must be 'MG' and 32 hexadecimal digits, not 'MX1'");
    CHECK(toml_problem("twilio", "account_sid = \"" + kSid + "\"\nfrom = \"x\"\n") ==
          "provider 'p': 'auth_token' is missing");
    CHECK(toml_problem("twilio", twilio + "from = \"x\"\noverflow = \"split-up\"\n") ==
          "provider 'p': 'overflow' must be \"split\", \"truncate\" or \"reject\", not "
          "'split-up'");
    auto st = channels::validate_provider(test::provider_from_toml("twilio", twilio));
    REQUIRE_FALSE(st);
    CHECK(st.error().field == "from");
}
