// Request validation: every error code a notification can earn before it is
// stored, the records a valid one becomes, and idempotency hashing.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "door.hpp"
#include "test_ingest_fixture.hpp"

using namespace notify;
using namespace notify::ingest;
using nlohmann::json;

namespace {

constexpr Millis kNow = 1'800'000'000'000;

Expected<store::Accepted> build(const Config& c, const std::string& text) {
    RequestContext ctx{&c, kNow, "tester"};
    auto body = parse_body(text);
    if (!body) return body.error();
    return build_notification(*body, ctx);
}

std::string code_of(const Config& c, const std::string& text) {
    auto a = build(c, text);
    return a ? std::string("ok") : a.error().code;
}

}  // namespace

TEST_CASE("a valid notification becomes one delivery per recipient") {
    Config c = ingest_test_config();
    SECTION("email with two recipients") {
        auto a = build(c, R"({"channel":"email","to":["a@example.com","b@example.com"],
                              "subject":"s","body":"b","priority":"high","data":{"k":[1,2]},
                              "category":"alert","module":"billing","locale":"zh-CN"})");
        REQUIRE(a);
        const auto& n = a->notification;
        CHECK(n.id.size() == 26);
        CHECK(n.created_at == kNow);
        CHECK(n.source == "tester");
        CHECK(n.priority == Priority::high);
        CHECK(n.data_json == R"({"k":[1,2]})");
        CHECK(n.module == "billing");
        REQUIRE(a->deliveries.size() == 2);
        CHECK(a->deliveries[0].id == n.id + ".1");
        CHECK(a->deliveries[1].id == n.id + ".2");
        CHECK(a->deliveries[1].recipient == "b@example.com");
        CHECK(a->deliveries[0].state == DeliveryState::queued);
        CHECK(a->deliveries[0].priority == Priority::high);
        CHECK(a->request_hash.empty());  // no idempotency key, no hash needed
    }
    SECTION("a single string recipient, default priority") {
        auto a = build(c, R"({"channel":"sms","to":"+8613800138000","body":"code 1234"})");
        REQUIRE(a);
        CHECK(a->notification.priority == Priority::medium);
        CHECK(a->deliveries.size() == 1);
    }
    SECTION("webhook and file without recipients get one delivery with an empty one") {
        for (const char* ch : {"hook", "outbox"}) {
            auto a = build(c, std::string(R"({"channel":")") + ch + R"(","subject":"x"})");
            REQUIRE(a);
            REQUIRE(a->deliveries.size() == 1);
            CHECK(a->deliveries[0].recipient.empty());
        }
    }
    SECTION("send_at in the future schedules, expires_in sets expires_at") {
        auto a = build(c, R"({"channel":"hook","body":"b","send_at":"now+10m","expires_in":"1h"})");
        REQUIRE(a);
        CHECK(a->notification.send_at == kNow + 600'000);
        // expires_in counts from send_at: deliver between now+10m and now+1h10m.
        CHECK(a->notification.expires_at == kNow + 600'000 + 3'600'000);
        CHECK(a->deliveries[0].state == DeliveryState::scheduled);
        CHECK(a->deliveries[0].next_attempt_at == kNow + 600'000);
        CHECK(a->deliveries[0].expires_at == kNow + 600'000 + 3'600'000);
    }
    SECTION("expires_in counts from acceptance without send_at, or when send_at has passed") {
        auto now = build(c, R"({"channel":"hook","body":"b","expires_in":"1h"})");
        REQUIRE(now);
        CHECK(now->notification.expires_at == kNow + 3'600'000);
        auto past =
            build(c, R"({"channel":"hook","body":"b","send_at":"now-1h","expires_in":"30m"})");
        REQUIRE(past);
        CHECK(past->notification.expires_at == kNow + 1'800'000);
    }
    SECTION("expires_in shorter than the wait until send_at is fine") {
        // notifyctl send --at now+2h --expires-in 1h: was refused as expiring first.
        auto a = build(c, R"({"channel":"hook","body":"b","send_at":"now+2h","expires_in":"1h"})");
        REQUIRE(a);
        CHECK(a->notification.send_at == kNow + 7'200'000);
        CHECK(a->notification.expires_at == kNow + 10'800'000);
    }
    SECTION("bulk: as sent, or by counting calendar.bulk_min recipients") {
        auto single = build(c, R"({"channel":"email","to":"a@example.com","body":"b"})");
        REQUIRE(single);
        CHECK_FALSE(single->notification.bulk);
        auto flagged =
            build(c, R"({"channel":"email","to":"a@example.com","body":"b","bulk":true})");
        REQUIRE(flagged);
        CHECK(flagged->notification.bulk);
        c.calendar.bulk_min = 2;
        auto sized = build(c, R"({"channel":"email","to":["a@example.com","b@example.com"],
                                  "body":"b","bulk":false})");
        REQUIRE(sized);
        CHECK(sized->notification.bulk);
        CHECK(code_of(c, R"({"channel":"email","to":"a@example.com","body":"b","bulk":"yes"})") ==
              "invalid_type");
    }
    SECTION("RFC 3339 times with offsets") {
        auto a = build(c, R"({"channel":"hook","body":"b","send_at":"2027-01-15T08:00:00+08:00"})");
        REQUIRE(a);
        CHECK(a->notification.send_at == *util::parse_time("2027-01-15T00:00:00Z", kNow));
    }
}

TEST_CASE("invalid notifications are refused with a stable code") {
    Config c = ingest_test_config();
    SECTION("malformed JSON names the position") {
        auto body = parse_body(R"({"channel": "email",)");
        REQUIRE_FALSE(body);
        CHECK(body.error().code == "malformed_json");
        CHECK(body.error().message.find("byte") != std::string::npos);
    }
    SECTION("strings that are not UTF-8 are refused naming the field") {
        auto body = parse_body("{\"channel\":\"outbox\",\"body\":\"caf\xe9\"}");
        REQUIRE_FALSE(body);
        CHECK(body.error().code == "invalid_utf8");
        CHECK(body.error().field == "body");
        CHECK(body.error().message ==
              "'body' is not valid UTF-8 (byte 0xe9 at offset 31 of the body)");
        auto item = parse_body(
            "{\"notifications\":[{\"channel\":\"outbox\",\"body\":\"ok\"},"
            "{\"channel\":\"outbox\",\"data\":{\"k\":[1,\"\xff\"]}}]}");
        REQUIRE_FALSE(item);
        CHECK(item.error().code == "invalid_utf8");
        CHECK(item.error().field == "notifications[1].data.k[1]");
        auto key = parse_body("{\"channel\":\"outbox\",\"b\xffody\":\"x\"}");
        REQUIRE_FALSE(key);
        CHECK(key.error().code == "invalid_utf8");
        CHECK(key.error().field.empty());
        auto bare = parse_body("\xff");
        REQUIRE_FALSE(bare);
        CHECK(bare.error().code == "invalid_utf8");
        // A syntax error before the byte is what the client must fix first.
        auto syntax = parse_body("{\"channel\":,\"body\":\"\xff\"}");
        REQUIRE_FALSE(syntax);
        CHECK(syntax.error().code == "malformed_json");
    }
    SECTION("each rule") {
        CHECK(code_of(c, R"([1,2])") == "invalid_request");
        CHECK(code_of(c, R"({"body":"b"})") == "missing_field");
        CHECK(code_of(c, R"({"channel":"emial","to":"a@example.com","body":"b"})") ==
              "unknown_channel");
        CHECK(code_of(c, R"({"channel":"hook","body":"b","prority":"high"})") == "unknown_field");
        CHECK(code_of(c, R"({"channel":"hook","body":"b","priority":"urgent"})") ==
              "invalid_priority");
        CHECK(code_of(c, R"({"channel":"hook","body":"b","send_at":"tomorrow"})") ==
              "invalid_time");
        CHECK(code_of(c, R"({"channel":"hook","body":"b","expires_at":"now-1m"})") ==
              "invalid_time");
        CHECK(code_of(
                  c, R"({"channel":"hook","body":"b","send_at":"now+2h","expires_at":"now+1h"})") ==
              "invalid_time");
        CHECK(code_of(c, R"({"channel":"hook","body":"b","expires_in":"soon"})") == "invalid_time");
        CHECK(code_of(c,
                      R"({"channel":"hook","body":"b","expires_in":"1h","expires_at":"now+2h"})") ==
              "conflicting_fields");
        CHECK(code_of(c, R"({"channel":"hook","subject":"","body":""})") == "empty_message");
        CHECK(code_of(c, R"({"channel":"hook"})") == "empty_message");
        CHECK(
            code_of(
                c,
                R"({"channel":"email","body":"b","to":["a@x.com","b@x.com","c@x.com","d@x.com"]})") ==
            "too_many_recipients");
        CHECK(code_of(c, R"({"channel":"email","body":"b"})") == "missing_recipient");
        CHECK(code_of(c, R"({"channel":"email","body":"b","to":"Ann <a@example.com>"})") ==
              "invalid_address");
        CHECK(code_of(c, R"({"channel":"sms","body":"b","to":"13800138000"})") ==
              "invalid_address");
        CHECK(code_of(c, R"({"channel":"hook","body":"b","data":[1]})") == "invalid_type");
        CHECK(code_of(c, R"({"channel":"hook","body":42})") == "invalid_type");
        CHECK(code_of(c, R"({"channel":"hook","body":"b","to":[1]})") == "invalid_type");
        CHECK(code_of(c, R"({"channel":"hook","template":"welcome"})") == "templates_unavailable");
        CHECK(code_of(c, R"({"channel":"hook","body":"b","template":"welcome"})") ==
              "conflicting_fields");
    }
    SECTION("messages help") {
        auto a = build(c, R"({"channel":"emial","to":"a@example.com","body":"b"})");
        REQUIRE_FALSE(a);
        CHECK(a.error().message.find("did you mean 'email'?") != std::string::npos);
        CHECK(a.error().message.find("known: email, hook, outbox, sms") != std::string::npos);
        CHECK(a.error().field == "channel");
        auto p = build(c, R"({"channel":"hook","body":"b","priority":"hihg"})");
        REQUIRE_FALSE(p);
        CHECK(p.error().message.find("did you mean 'high'?") != std::string::npos);
        auto f = build(c, R"({"channel":"hook","body":"b","subjet":"x"})");
        REQUIRE_FALSE(f);
        CHECK(f.error().message.find("did you mean 'subject'?") != std::string::npos);
        auto t = build(c, R"({"channel":"hook","template":"w"})");
        REQUIRE_FALSE(t);
        CHECK(t.error().kind == ErrorKind::conflict);  // 422
        CHECK(t.error().field == "template");
    }
    SECTION("batch items name their position in fields") {
        RequestContext ctx{&c, kNow, "t"};
        auto a = build_notification(json::parse(R"({"channel":"email","body":"b","to":"x"})"), ctx,
                                    "notifications[3].");
        REQUIRE_FALSE(a);
        CHECK(a.error().field == "notifications[3].to");
    }
}

TEST_CASE("UTF-8 is checked as the JSON parser checks it") {
    using namespace std::string_view_literals;
    constexpr auto npos = std::string_view::npos;
    CHECK(util::invalid_utf8_at("plain ascii") == npos);
    CHECK(util::invalid_utf8_at("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa8") == npos);
    CHECK(util::invalid_utf8_at("caf\xe9") == 3);
    CHECK(util::invalid_utf8_at("\xc0\xaf") == 0);           // overlong '/'
    CHECK(util::invalid_utf8_at("ab\xed\xa0\x80") == 2);     // a surrogate
    CHECK(util::invalid_utf8_at("a\xf4\x90\x80\x80") == 1);  // past U+10FFFF
    CHECK(util::invalid_utf8_at("x\xe2\x82") == 1);          // cut short
    CHECK(util::invalid_utf8_at("nul\0inside"sv) == npos);
}

TEST_CASE("the request hash ignores key order and the idempotency key") {
    auto a =
        json::parse(R"({"channel":"hook","body":"b","data":{"x":1,"y":2},"idempotency_key":"k1"})");
    auto b =
        json::parse(R"({"data":{"y":2,"x":1},"idempotency_key":"k2","body":"b","channel":"hook"})");
    auto c =
        json::parse(R"({"channel":"hook","body":"B","data":{"x":1,"y":2},"idempotency_key":"k1"})");
    CHECK(request_hash(a) == request_hash(b));
    CHECK(request_hash(a) != request_hash(c));
    CHECK(request_hash(a).size() == 64);

    Config cfg = ingest_test_config();
    RequestContext ctx{&cfg, kNow, "t"};
    auto built = build_notification(a, ctx);
    REQUIRE(built);
    CHECK(built->request_hash == request_hash(b));
    CHECK(built->notification.idempotency_key == "k1");
}
