// Recipient checks: email syntax, E.164 numbers, and the rules per channel type.
#include <catch2/catch.hpp>

#include "address.hpp"

using namespace notify;

TEST_CASE("email addresses are checked for RFC 5321 syntax") {
    SECTION("good") {
        for (const char* a : {"ann@example.com", "first.last@sub.example.co.uk",
                              "a+tag@example.org", "o'brien@example.ie", "x@xn--fiqs8s.cn",
                              "\"john doe\"@example.com", "user_1@mail-server.example.com"})
            CHECK(is_email_address(a));
    }
    SECTION("bad") {
        for (const char* a :
             {"", "ann", "@example.com", "ann@", "ann@localhost", "ann@@example.com",
              "a@b@example.com", ".ann@example.com", "ann.@example.com", "a..b@example.com",
              "ann@-example.com", "ann@example-.com", "ann@example..com", "ann@.example.com",
              "Ann <ann@example.com>", "ann smith@example.com", "ann@exa mple.com",
              "ann@example.com.", "(ann)@example.com"})
            CHECK_FALSE(is_email_address(a));
    }
    SECTION("length limits") {
        CHECK(is_email_address(std::string(64, 'a') + "@example.com"));
        CHECK_FALSE(is_email_address(std::string(65, 'a') + "@example.com"));
        CHECK_FALSE(is_email_address("a@" + std::string(64, 'b') + ".com"));
    }
}

TEST_CASE("phone numbers must be valid E.164") {
    SECTION("good") {
        for (const char* n : {"+8613800138000", "+14155552671", "+442071838750", "+4915123456789"})
            CHECK(is_e164_number(n));
    }
    SECTION("bad") {
        for (const char* n : {"", "+", "13800138000", "8613800138000", "+86 138 0013 8000",
                              "+86-13800138000", "+861380013800", "+0013800138000", "+1234",
                              "+86138001380001234", "tel:+8613800138000", "+86abc"})
            CHECK_FALSE(is_e164_number(n));
    }
}

TEST_CASE("recipients are checked by the channel's provider type") {
    SECTION("smtp needs at least one valid address") {
        CHECK(check_recipients({"ann@example.com", "bob@example.org"}, "smtp", "email", "to"));
        auto none = check_recipients({}, "smtp", "email", "to");
        REQUIRE_FALSE(none);
        CHECK(none.error().code == "missing_recipient");
        auto bad = check_recipients({"ann@example.com", "bob"}, "smtp", "email", "to");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == "invalid_address");
        CHECK(bad.error().field == "to[1]");
        CHECK(bad.error().message.find("'bob'") != std::string::npos);
    }
    SECTION("sms types need E.164 numbers") {
        for (const char* type : {"aliyun-sms", "tencent-sms", "twilio"}) {
            CHECK(check_recipients({"+8613800138000"}, type, "sms", "to"));
            CHECK_FALSE(check_recipients({"13800138000"}, type, "sms", "to"));
            CHECK_FALSE(check_recipients({}, type, "sms", "to"));
        }
    }
    SECTION("webhook and file take none, or short non-empty strings") {
        for (const char* type : {"webhook", "file", "dingtalk-robot"}) {
            CHECK(check_recipients({}, type, "c", "to"));
            CHECK(check_recipients({"ops-room"}, type, "c", "to"));
            CHECK_FALSE(check_recipients({""}, type, "c", "to"));
            CHECK_FALSE(check_recipients({std::string(257, 'x')}, type, "c", "to"));
            CHECK(check_recipients({std::string(256, 'x')}, type, "c", "to"));
        }
    }
}

TEST_CASE("telegram and onebot recipients have their own forms") {
    CHECK(check_recipients({"-1001234567890", "42", "@notify_ops"}, "telegram", "tg", "to"));
    CHECK(check_recipients({}, "telegram", "tg", "to"));  // the provider's chat_id
    auto tg = check_recipients({"ops room"}, "telegram", "tg", "to");
    REQUIRE_FALSE(tg);
    CHECK(tg.error().message ==
          "invalid recipient 'ops room' for channel 'tg' (a Telegram chat id such as "
          "'-1001234567890' or '@channelname')");
    CHECK_FALSE(check_recipients({"@abc"}, "telegram", "tg", "to"));  // names are 5-32 long
    CHECK(check_recipients({"10001", "group/123456"}, "onebot", "qq", "to"));
    auto qq = check_recipients({"group:123"}, "onebot", "qq", "to");
    REQUIRE_FALSE(qq);
    CHECK(qq.error().message ==
          "invalid recipient 'group:123' for channel 'qq' (a QQ number such as '10001', or "
          "'group/NUMBER' for a group)");
    CHECK_FALSE(check_recipients({"group/"}, "onebot", "qq", "to"));
}
