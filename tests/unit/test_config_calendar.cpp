// [calendar] in notify.toml: defaults, values, the environment, and each
// mistake named by file, line and key.
#include <catch2/catch.hpp>

#include <filesystem>

#include <stdlib.h>

#include "config.hpp"

using namespace notify;

namespace {

std::string error_of(const std::string& toml) {
    auto c = parse_config(toml, "/etc/notify/notify.toml");
    REQUIRE_FALSE(c);
    CHECK(c.error().kind == ErrorKind::invalid);
    return c.error().message;
}

}  // namespace

TEST_CASE("[calendar] is read into the configuration", "[calendar][config]") {
    SECTION("defaults: this machine's zone, Monday to Friday, 09:00-18:00, no file") {
        auto c = parse_config("", "t.toml");
        REQUIRE(c);
        CHECK(c->calendar.timezone.empty());
        CHECK(c->calendar.workdays == 0b0111110);
        CHECK(c->calendar.hours.start == 9 * 3600);
        CHECK(c->calendar.hours.end == 18 * 3600);
        CHECK(c->calendar.file.empty());
        CHECK(c->calendar.bulk_min == 1000);
    }
    SECTION("every key, names in any case, a file beside the configuration") {
        auto c = parse_config(R"([calendar]
timezone = "Asia/Shanghai"
workdays = ["mon", "Tue", "WED", "thu", "fri", "sat"]
hours = "8:30-24:00"
file = "holidays-cn.ics"
bulk_min = 500
)",
                              "/etc/notify/notify.toml");
        REQUIRE(c);
        CHECK(c->calendar.timezone == "Asia/Shanghai");
        CHECK(c->calendar.workdays == 0b1111110);
        CHECK(c->calendar.hours.start == 8 * 3600 + 30 * 60);
        CHECK(c->calendar.hours.end == 24 * 3600);
        CHECK(c->calendar.file == "/etc/notify/holidays-cn.ics");
        CHECK(c->calendar.bulk_min == 500);
        bool shown = false;
        for (const Setting& s : c->settings)
            if (s.key == "calendar.hours")
                shown = s.value == "8:30-24:00" && s.origin == "/etc/notify/notify.toml:4";
        CHECK(shown);
    }
    SECTION("an absolute file as it is; a relative one from the environment from here") {
        auto c = parse_config("[calendar]\nfile = \"/srv/days.txt\"\n", "conf/notify.toml");
        REQUIRE(c);
        CHECK(c->calendar.file == "/srv/days.txt");
        setenv("NOTIFY_CALENDAR_FILE", "days.txt", 1);
        setenv("NOTIFY_CALENDAR_WORKDAYS", "SUN,MON", 1);
        c = parse_config("", "conf/notify.toml");
        unsetenv("NOTIFY_CALENDAR_FILE");
        unsetenv("NOTIFY_CALENDAR_WORKDAYS");
        REQUIRE(c);
        CHECK(c->calendar.file == (std::filesystem::current_path() / "days.txt").string());
        CHECK(c->calendar.workdays == 0b0000011);
    }
}

TEST_CASE("mistakes in [calendar] name the file, the line and the key", "[calendar][config]") {
    CHECK(error_of("[calendar]\ntimezone = \"Mars/Olympus\"\n") ==
          "/etc/notify/notify.toml:2: 'calendar.timezone': unknown time zone 'Mars/Olympus' (an "
          "IANA name such as 'Asia/Shanghai')");
    CHECK(error_of("[calendar]\nworkdays = [\"MON\", \"TUS\"]\n") ==
          "/etc/notify/notify.toml:2: 'calendar.workdays': unknown day 'TUS', did you mean "
          "'TUE'? (MON, TUE, WED, THU, FRI, SAT, SUN)");
    CHECK(error_of("[calendar]\nworkdays = [\"MON\", \"mon\"]\n") ==
          "/etc/notify/notify.toml:2: 'calendar.workdays' names MON twice");
    CHECK(error_of("[calendar]\nworkdays = []\n") ==
          "/etc/notify/notify.toml:2: 'calendar.workdays' needs at least one day, like [\"MON\", "
          "\"TUE\", \"WED\", \"THU\", \"FRI\"]");
    CHECK(error_of("[calendar]\nworkdays = \"MON\"\n") ==
          "/etc/notify/notify.toml:2: 'calendar.workdays' must be an array of strings");
    for (const char* hours : {"9-18", "09:00", "09:00-18:60", "25:00-26:00", "24:00-24:00",
                              "09:00-18:00:60", "09:00-18:0", "x9:00-18:00", "09:00-24:00:01"})
        CHECK(error_of(std::string("[calendar]\nhours = \"") + hours + "\"\n") ==
              std::string("/etc/notify/notify.toml:2: 'calendar.hours': '") + hours +
                  "' is not HH:MM-HH:MM, like \"09:00-18:00\" (seconds too: "
                  "\"09:00:00-18:00:30\")");
    CHECK(error_of("[calendar]\nhours = \"18:00-09:00\"\n") ==
          "/etc/notify/notify.toml:2: 'calendar.hours': '18:00-09:00' must begin before it ends "
          "(at most 00:00-24:00)");
    CHECK(error_of("[calendar]\nhours = \"09:00-09:00\"\n").find("must begin before it ends") !=
          std::string::npos);
    CHECK(error_of("[calendar]\nhold_bulk = \"yes\"\n") ==
          "/etc/notify/notify.toml:2: 'calendar.hold_bulk' must be true or false");
    CHECK(error_of("[preferences]\nquiet_hours = \"22:00-22:00\"\n") ==
          "/etc/notify/notify.toml:2: 'preferences.quiet_hours': '22:00-22:00' begins where it "
          "ends: it would be empty or the whole day");
    CHECK(error_of("[preferences]\nquiet_hours = \"10pm-7am\"\n") ==
          "/etc/notify/notify.toml:2: 'preferences.quiet_hours': '10pm-7am' is not HH:MM-HH:MM, "
          "like \"22:00-07:30\" (seconds too: \"22:00:00-07:30:30\")");
    CHECK(error_of("[calendar]\nbulk_min = 0\n") ==
          "/etc/notify/notify.toml:2: 'calendar.bulk_min' must be at least 1");
    CHECK(error_of("[calendar]\nbulkmin = 10\n") ==
          "/etc/notify/notify.toml:2: unknown key 'calendar.bulkmin', did you mean "
          "'calendar.bulk_min'?");
}

TEST_CASE("Working hours take seconds; bulk is held once [calendar] is set", "[calendar][config]") {
    SECTION("hours to the second") {
        auto c = parse_config("[calendar]\nhours = \"09:00:30 - 17:59:59\"\n", "t.toml");
        REQUIRE(c);
        CHECK(c->calendar.hours == util::DayWindow{9 * 3600 + 30, 18 * 3600 - 1});
    }
    SECTION("hold_bulk: off with no [calendar], on with one, as set when set") {
        auto none = parse_config("", "t.toml");
        REQUIRE(none);
        CHECK_FALSE(none->calendar.hold_bulk);
        auto some = parse_config("[calendar]\ntimezone = \"Asia/Shanghai\"\n", "t.toml");
        REQUIRE(some);
        CHECK(some->calendar.hold_bulk);
        std::string origin;
        for (const Setting& s : some->settings)
            if (s.key == "calendar.hold_bulk") origin = s.origin + "=" + s.value;
        CHECK(origin == "default ([calendar] is set)=true");
        auto off = parse_config("[calendar]\ntimezone = \"UTC\"\nhold_bulk = false\n", "t.toml");
        REQUIRE(off);
        CHECK_FALSE(off->calendar.hold_bulk);
        setenv("NOTIFY_CALENDAR_HOURS", "08:00-17:00", 1);
        auto from_env = parse_config("", "t.toml");
        unsetenv("NOTIFY_CALENDAR_HOURS");
        REQUIRE(from_env);
        CHECK(from_env->calendar.hold_bulk);
    }
    SECTION("quiet hours: none by default; a window across midnight; exempt categories") {
        auto none = parse_config("", "t.toml");
        REQUIRE(none);
        CHECK_FALSE(none->preferences.quiet_hours);
        CHECK(none->preferences.quiet_hours_exempt ==
              std::vector<std::string>{"security", "one-time-code"});
        auto c = parse_config(
            "[preferences]\nquiet_hours = \"22:00-7:30\"\nquiet_hours_exempt = [\"alerts\"]\n",
            "t.toml");
        REQUIRE(c);
        REQUIRE(c->preferences.quiet_hours);
        CHECK(*c->preferences.quiet_hours == util::DayWindow{22 * 3600, 7 * 3600 + 1800});
        CHECK(c->preferences.quiet_hours->crosses_midnight());
        CHECK(c->preferences.quiet_hours_exempt == std::vector<std::string>{"alerts"});
    }
}
