// Tests for the telegram adapter against the Bot API's sendMessage played on
// 127.0.0.1: requests field by field, chat ids, replies of each outcome class,
// long texts split or cut, and settings errors naming provider and key.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_channel_support.hpp"

using namespace notify;
using namespace notify::test;
using nlohmann::json;

namespace {
const std::string kBotToken = "123456789:AAH-fake_Token0";
const std::string kSendPath = "/bot" + kBotToken + "/sendMessage";
}  // namespace

TEST_CASE("telegram sends a message", "[telegram]") {
    VendorMock mock([](const MockRequest&) {
        return MockReply{
            200,
            R"({"ok":true,"result":{"message_id":42,"chat":{"id":-1001234567890},"text":"x"}})"};
    });
    json settings = {{"type", "telegram"}, {"endpoint", mock.base()}, {"bot_token", kBotToken}};
    SECTION("to a group chat, with options") {
        settings["parse_mode"] = "HTML";
        settings["disable_notification"] = true;
        auto a = test::run_attempt(*adapter_of("tg", settings),
                                   job_to("-1001234567890", "Backup", "<b>done</b>"));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id == "42");
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].method == "POST");
        CHECK(rs[0].target == kSendPath);
        CHECK(rs[0].header("Content-Type") == "application/json");
        json b = json::parse(rs[0].body);
        CHECK(b == json{{"chat_id", -1001234567890LL},
                        {"text", "Backup\n<b>done</b>"},
                        {"parse_mode", "HTML"},
                        {"disable_notification", true}});
        CHECK(b["chat_id"].is_number_integer());
    }
    SECTION("to the default channel") {
        settings["chat_id"] = "@ops_alerts";
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("", "", "hello"));
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(json::parse(rs[0].body) == json{{"chat_id", "@ops_alerts"}, {"text", "hello"}});
    }
    SECTION("a default chat id written as a TOML integer") {
        settings["chat_id"] = 987654321;
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("", "", "hello"));
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        CHECK(json::parse(rs[0].body)["chat_id"] == 987654321);
    }
    SECTION("a payload with a keyboard") {
        wire::Job job = job_to("1234", "", "");
        job.payload =
            R"({"text":"Approve?","reply_markup":{"inline_keyboard":[[{"text":"Yes","callback_data":"y"}]]}})";
        auto a = test::run_attempt(*adapter_of("tg", settings), job);
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        json expected = json::parse(job.payload);
        expected["chat_id"] = 1234;
        CHECK(json::parse(rs[0].body) == expected);
    }
    SECTION("no chat") {
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("", "", "hello"));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "missing_recipient");
        CHECK(mock.requests().empty());
    }
    SECTION("a chat that is not a chat id") {
        std::string to =
            GENERATE("ops", "@", "@abc", "@bad-name", "12x", "+123", "0", "99999999999999999999");
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to(to, "", "hello"));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "invalid_recipient");
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("telegram outcomes", "[telegram]") {
    struct Case {
        int status;
        std::string body;
        wire::Outcome outcome;
        std::string code;
        std::string message;
        Millis retry_after;
    };
    Case c = GENERATE(
        Case{
            429,
            R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})",
            wire::Outcome::retryable, "429", "Too Many Requests: retry after 7", 7000},
        Case{500, R"({"ok":false,"error_code":500,"description":"Internal Server Error"})",
             wire::Outcome::retryable, "500", "Internal Server Error", 0},
        Case{502, "<html>Bad Gateway</html>", wire::Outcome::retryable, "502", "Bad Gateway", 0},
        Case{400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})",
             wire::Outcome::permanent, "400", "Bad Request: chat not found", 0},
        Case{
            400,
            R"({"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009876}})",
            wire::Outcome::permanent, "400", "(the group is now chat -1009876)", 0},
        Case{
            403,
            R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})",
            wire::Outcome::permanent, "403", "Forbidden: bot was blocked by the user", 0},
        Case{401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})",
             wire::Outcome::permanent, "401", "Unauthorized", 0},
        Case{404, R"({"ok":false,"error_code":404,"description":"Not Found"})",
             wire::Outcome::permanent, "404", "Not Found", 0});
    VendorMock mock([&](const MockRequest&) { return MockReply{c.status, c.body}; });
    json settings = {{"type", "telegram"}, {"endpoint", mock.base()}, {"bot_token", kBotToken}};
    auto a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "", "hello"));
    INFO(c.body);
    CHECK(a.outcome == c.outcome);
    CHECK(a.code == c.code);
    CHECK(a.message.find(c.message) != std::string::npos);
    CHECK(a.retry_after == c.retry_after);
    // The bot token never shows in a reason.
    CHECK(a.message.find("AAH-fake") == std::string::npos);
}

TEST_CASE("telegram texts over 4096 characters", "[telegram]") {
    std::atomic<int> next_id{100};
    VendorMock mock([&](const MockRequest&) {
        return MockReply{200, json{{"ok", true}, {"result", {{"message_id", next_id++}}}}.dump()};
    });
    json settings = {{"type", "telegram"}, {"endpoint", mock.base()}, {"bot_token", kBotToken}};
    // 60 lines of 80 characters (Cyrillic: two bytes each), 4860 characters with the newlines.
    std::string body;
    for (int i = 0; i < 60; ++i) {
        for (int k = 0; k < 40; ++k) body += "\xD0\x96\xD0\xB8";  // "Жи"
        body += "\n";
    }
    const std::string text = "Report\n" + body;
    REQUIRE(chars(text) > 4096);
    SECTION("split into two messages of one attempt") {
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "Report", body));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.provider_message_id == "100");  // the first part's
        CHECK(a.detail == "parts=2");
        auto rs = mock.requests();
        REQUIRE(rs.size() == 2);
        std::string joined;
        for (const auto& r : rs) {
            CHECK(r.target == kSendPath);
            json b = json::parse(r.body);
            CHECK(b["chat_id"] == 1234);
            std::string part = b["text"];
            CHECK(chars(part) <= 4096);
            joined += part;
        }
        CHECK(joined == text);
        std::string first = json::parse(rs[0].body)["text"];
        CHECK(first.back() == '\n');  // cut at a line end
    }
    SECTION("a refused second part ends the attempt and says how far it got") {
        std::atomic<int> n{0};
        VendorMock refusing([&](const MockRequest&) {
            return ++n == 1 ? MockReply{200, R"({"ok":true,"result":{"message_id":7}})"}
                            : MockReply{400, R"({"ok":false,"error_code":400,)"
                                             R"("description":"Bad Request: chat not found"})"};
        });
        settings["endpoint"] = refusing.base();
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "Report", body));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "400");
        CHECK(a.provider_message_id.empty());
        CHECK(a.detail == "parts=2 sent_parts=1/2");
        CHECK(refusing.requests().size() == 2);
    }
    SECTION("truncate") {
        settings["overflow"] = "truncate";
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "Report", body));
        CHECK(a.outcome == wire::Outcome::sent);
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        std::string part = json::parse(rs[0].body)["text"];
        CHECK(chars(part) == 4096);
        CHECK(part.substr(part.size() - 3) == "\xE2\x80\xA6");
        CHECK(a.detail == "truncated=" + std::to_string(chars(text)) + "/4096");
    }
    SECTION("reject") {
        settings["overflow"] = "reject";
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "Report", body));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "too_long");
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("telegram counts its limit in UTF-16 code units", "[telegram]") {
    VendorMock mock([](const MockRequest&) {
        return MockReply{200, R"({"ok":true,"result":{"message_id":5}})"};
    });
    json settings = {{"type", "telegram"}, {"endpoint", mock.base()}, {"bot_token", kBotToken}};
    // 3000 emoji: 3000 characters but 6000 UTF-16 code units (each is a surrogate pair).
    std::string body;
    for (int i = 0; i < 3000; ++i) body += "\xF0\x9F\x98\x80";  // U+1F600
    auto utf16 = [](const std::string& t) {
        return channels::text_length(t, channels::LengthUnit::utf16);
    };
    SECTION("split") {
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "", body));
        CHECK(a.outcome == wire::Outcome::sent);
        CHECK(a.detail == "parts=2");
        auto rs = mock.requests();
        REQUIRE(rs.size() == 2);
        std::string first = json::parse(rs[0].body)["text"];
        std::string second = json::parse(rs[1].body)["text"];
        CHECK(utf16(first) == 4096);  // 2048 emoji, none cut in half
        CHECK(first.size() == 2048 * 4);
        CHECK(first + second == body);
    }
    SECTION("truncate") {
        settings["overflow"] = "truncate";
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "", body));
        CHECK(a.detail == "truncated=6000/4096");
        auto rs = mock.requests();
        REQUIRE(rs.size() == 1);
        std::string part = json::parse(rs[0].body)["text"];
        CHECK(utf16(part) == 4095);  // 2047 emoji and the ellipsis
        CHECK(part.substr(part.size() - 3) == "\xE2\x80\xA6");
    }
    SECTION("reject") {
        settings["overflow"] = "reject";
        auto a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "", body));
        CHECK(a.code == "too_long");
        CHECK(a.message.find("6000 UTF-16 code units") != std::string::npos);
        CHECK(mock.requests().empty());
    }
}

TEST_CASE("telegram sends a text with invalid UTF-8, replaced", "[telegram]") {
    VendorMock mock([](const MockRequest&) {
        return MockReply{200, R"({"ok":true,"result":{"message_id":6}})"};
    });
    json settings = {{"type", "telegram"}, {"endpoint", mock.base()}, {"bot_token", kBotToken}};
    channels::Attempt a;
    REQUIRE_NOTHROW(
        a = test::run_attempt(*adapter_of("tg", settings), job_to("1234", "", "bad \xFF byte")));
    CHECK(a.outcome == wire::Outcome::sent);
    REQUIRE(mock.requests().size() == 1);
    CHECK(json::parse(mock.requests()[0].body)["text"] == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("telegram settings errors name the provider and the key", "[telegram]") {
    json s = {{"type", "telegram"}, {"bot_token", kBotToken}};
    REQUIRE(channels::validate_provider(provider_of("tg", s)));
    SECTION("no token") {
        s.erase("bot_token");
        check_invalid(provider_of("tg", s), "bot_token", "'bot_token' is missing");
    }
    SECTION("not a token") {
        s["bot_token"] = "AAH-fake";
        check_invalid(provider_of("tg", s), "bot_token", "'bot_token' is not a bot token");
    }
    SECTION("token from a missing variable") {
        s["bot_token"] = "env:NOTIFY_TEST_NO_SUCH_VARIABLE_TG";
        check_invalid(provider_of("tg", s), "bot_token", "'bot_token': ");
    }
    SECTION("parse_mode") {
        s["parse_mode"] = "markdownv2";
        check_invalid(provider_of("tg", s), "parse_mode", "did you mean 'MarkdownV2'?");
    }
    SECTION("chat_id") {
        s["chat_id"] = "ops";
        check_invalid(provider_of("tg", s), "chat_id", "'chat_id' must be a chat id");
    }
    SECTION("chat_id of another type") {
        s["chat_id"] = true;
        check_invalid(provider_of("tg", s), "chat_id", "'chat_id' must be a chat id");
    }
    SECTION("disable_notification") {
        s["disable_notification"] = "yes";
        check_invalid(provider_of("tg", s), "disable_notification", "must be true or false");
    }
    SECTION("endpoint") {
        s["endpoint"] = "api.telegram.org";
        check_invalid(provider_of("tg", s), "endpoint", "'endpoint'");
    }
    SECTION("unknown key") {
        s["token"] = "x";
        check_invalid(provider_of("tg", s), "token", "unknown key 'token'");
    }
}
