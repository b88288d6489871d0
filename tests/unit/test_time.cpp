#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

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

TEST_CASE("local times print as strftime does, with their offset, across zone changes") {
    const char* was = std::getenv("TZ");
    const std::string saved = was ? was : "";
    for (const char* zone : {"UTC", "Asia/Shanghai", "America/New_York", "Asia/Kathmandu",
                             "Australia/Lord_Howe", "America/St_Johns"}) {
        setenv("TZ", zone, 1);
        tzset();
        // Every 11 hours, 40 minutes and 1 second from 2023 to 2027, DST changes
        // included, and a few times before 1970.
        std::vector<Millis> times = {-1'000, -86'400'000LL * 365 * 30 - 12'345'000, 0};
        for (Millis t = 1'672'531'200'000; t < 1'830'297'600'000; t += 42'001'000)
            times.push_back(t);
        for (Millis t : times) {
            std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
            std::tm tm{};
            localtime_r(&secs, &tm);
            char want[64];
            std::strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
            std::string expected = want;
            const long off = tm.tm_gmtoff;
            if (off == 0) {
                expected += "Z";
            } else {
                char o[48];
                std::snprintf(o, sizeof o, "%c%02ld:%02ld", off < 0 ? '-' : '+',
                              std::labs(off) / 3600, std::labs(off) / 60 % 60);
                expected += o;
            }
            REQUIRE(utc_offset(t) == off);
            REQUIRE(format_local(t, off) == expected);
        }
    }
    if (was)
        setenv("TZ", saved.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();
}
