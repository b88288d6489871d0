// Tests for the dashboard's sessions (web_session.hpp) and the form parser
// its pages and Twilio's callbacks share (util/form.hpp), and the cookies
// they set.
#include <catch2/catch.hpp>

#include "test_ingest_harness.hpp"
#include "util/form.hpp"
#include "web_session.hpp"

using namespace notify;
using namespace notify::ingest;

TEST_CASE("sessions end when idle, signed out, or pushed out", "[web]") {
    WebSessions s;
    const std::string a = s.open("nk_a", 0);
    REQUIRE(s.find(a, 1000) != nullptr);
    CHECK(s.find(a, 1000)->key == "nk_a");
    CHECK(s.find(a, 1000)->csrf.size() >= 40);
    CHECK(s.find("not-an-id", 1000) == nullptr);
    // Used at 1000: idle until 1000 + kIdle.
    CHECK(s.find(a, 1000 + WebSessions::kIdle) != nullptr);
    CHECK(s.find(a, 2001 + 2 * WebSessions::kIdle) == nullptr);
    const std::string b = s.open("nk_b", 0);
    s.close(b);
    CHECK(s.find(b, 1) == nullptr);
    // The least recently used goes first when there are too many.
    const std::string first = s.open("nk_first", 10);
    const std::string second = s.open("nk_second", 10);
    REQUIRE(s.find(first, 11) != nullptr);  // now `second` is the oldest in use
    for (std::size_t i = 2; i < WebSessions::kMax; ++i) s.open("nk", 12);
    s.open("nk_last", 13);
    CHECK(s.find(second, 14) == nullptr);
    CHECK(s.find(first, 14) != nullptr);
    CHECK(random_token() != random_token());
}

TEST_CASE("cookie_value reads one cookie of a Cookie header", "[web]") {
    CHECK(cookie_value("a=1; notify_session=xyz; b=2", "notify_session") == "xyz");
    CHECK(cookie_value("notify_session_old=1;notify_session=q", "notify_session") == "q");
    CHECK(cookie_value("a=1", "notify_session").empty());
    CHECK(cookie_value("", "a").empty());
}

TEST_CASE("forms are decoded, repeats kept, bad escapes refused", "[web]") {
    auto f = util::parse_form("key=nk_a%2Bb&csrf=t+1&&x&key=2");
    REQUIRE(f);
    CHECK(util::form_value(*f, "key") == "nk_a+b");
    CHECK(util::form_value(*f, "csrf") == "t 1");
    CHECK(util::form_value(*f, "x").empty());
    CHECK(f->size() == 4);
    CHECK_FALSE(util::parse_form("a=%zz"));
    CHECK_FALSE(util::parse_form("a=%4"));
}

TEST_CASE("the dashboard's cookies are Secure only when asked", "[web]") {
    auto cookies_of = [](const std::string& extra) {
        test::ApiHarness h(extra);
        Request r;
        r.method = "GET";
        r.path = "/login";
        std::string cookies;
        for (const auto& [name, value] : h.handle(r).headers)
            if (name == "Set-Cookie") cookies += value + "\n";
        return cookies;
    };
    const std::string plain = cookies_of("");
    CHECK(plain.find("notify_login=") != std::string::npos);
    CHECK(plain.find("HttpOnly; SameSite=Strict") != std::string::npos);
    CHECK(plain.find("Secure") == std::string::npos);
    CHECK(cookies_of("secure_cookies = true\n").find("SameSite=Strict; Secure") !=
          std::string::npos);
}
