#include <catch2/catch.hpp>

#include "util/id.hpp"
#include "util/time.hpp"

using namespace notify::util;

TEST_CASE("durations parse and print") {
    CHECK(*parse_duration("90s") == 90'000);
    CHECK(*parse_duration("1h30m") == 5'400'000);
    CHECK(*parse_duration("250ms") == 250);
    CHECK(*parse_duration("1d") == 86'400'000);
    CHECK_FALSE(parse_duration("10"));
    CHECK_FALSE(parse_duration("10x"));
    CHECK_FALSE(parse_duration(""));
    CHECK(*parse_duration("36500d") == 36'500LL * 86'400'000);
    // Too large to be meant, and past a 64-bit product: refused, never wrapped.
    CHECK_FALSE(parse_duration("111111111111d"));
    CHECK_FALSE(parse_duration("999999999999d999999999999d"));
    CHECK(parse_duration("11574075d").error().message.find("too large") != std::string::npos);
    CHECK(format_duration(5'400'000) == "1h30m");
    CHECK(format_duration(250) == "250ms");
}

TEST_CASE("times parse in every accepted form") {
    const Millis now = 1'700'000'000'000;
    SECTION("RFC 3339") {
        CHECK(*parse_time("2026-11-27T08:00:00Z", now) == 1'795'766'400'000);
        CHECK(*parse_time("2026-11-27T16:00:00+08:00", now) == 1'795'766'400'000);
        CHECK(*parse_time("2026-11-27T08:00:00.250Z", now) == 1'795'766'400'250);
        CHECK(format_rfc3339(1'795'766'400'000) == "2026-11-27T08:00:00Z");
        CHECK(format_rfc3339(1'795'766'400'250) == "2026-11-27T08:00:00.250Z");
    }
    SECTION("relative") {
        CHECK(*parse_time("now", now) == now);
        CHECK(*parse_time("now+10m", now) == now + 600'000);
        CHECK(*parse_time("now-1h", now) == now - 3'600'000);
    }
    SECTION("local wall time in a zone") {
        CHECK(*parse_time("2026-11-27 16:00", now, "Asia/Shanghai") == 1'795'766'400'000);
        CHECK(*parse_time("2026-11-27 08:00", now, "UTC") == 1'795'766'400'000);
    }
    SECTION("bad input says what is wrong") {
        CHECK_FALSE(parse_time("tomorrow", now));
        CHECK_FALSE(parse_time("2026-02-30T00:00:00Z", now));
        CHECK_FALSE(parse_time("2026-11-27T08:00:00", now));
        CHECK_FALSE(parse_time("2026-11-27 08:00", now, "Mars/Olympus"));
        CHECK(parse_time("soon", now).error().code == "invalid_time");
    }
}

TEST_CASE("ULIDs sort in creation order and carry their time") {
    std::string a = new_ulid(1'700'000'000'000);
    std::string b = new_ulid(1'700'000'000'000);
    std::string c = new_ulid(1'700'000'000'001);
    CHECK(a.size() == 26);
    CHECK(a < b);
    CHECK(b < c);
    CHECK(ulid_time(a) == 1'700'000'000'000);
    CHECK(ulid_time("not-an-id") == -1);
}
