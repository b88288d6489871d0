// notifyctl calendar show: the days it prints in text and JSON Lines, and its
// errors (a bad override file with its line, bad flags), with no daemon.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_cli_helpers.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

using namespace notify::cli::test;

namespace {

struct Setup {
    ScratchDir dir;
    std::string config;

    explicit Setup(const std::string& calendar, const std::string& days = "") {
        config =
            dir.write("notify.toml", "runtime_dir = \"" + dir.path() + "\"\n[store]\npath = \"" +
                                         dir.path() + "/notify.db\"\n[calendar]\n" + calendar);
        if (!days.empty()) dir.write("holidays.txt", days);
    }
    Outcome show(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--config", config, "calendar", "show"});
        return notifyctl(args);
    }
};

const std::string kChina = "timezone = \"Asia/Shanghai\"\nfile = \"holidays.txt\"\n";
const std::string kChinaDays =
    "# China 2026\n"
    "2026-10-01..2026-10-07 holiday National Day\n"
    "2026-10-10 workday National Day (make-up day)\n";

}  // namespace

TEST_CASE("calendar show prints a day a line", "[cli][calendar]") {
    Setup s(kChina, kChinaDays);
    SECTION("holidays, workdays, an adjusted workday and a weekend") {
        auto r = s.show({"--from", "2026-10-06", "--days", "6"});
        CHECK(r.rc == 0);
        CHECK(r.err.empty());
        CHECK(r.out ==
              "DATE        DAY  KIND              HOURS (Asia/Shanghai)  NAME\n"
              "2026-10-06  Tue  holiday           -                      National Day\n"
              "2026-10-07  Wed  holiday           -                      National Day\n"
              "2026-10-08  Thu  workday           09:00-18:00\n"
              "2026-10-09  Fri  workday           09:00-18:00\n"
              "2026-10-10  Sat  adjusted workday  09:00-18:00            National Day (make-up "
              "day)\n"
              "2026-10-11  Sun  weekend           -\n");
    }
    SECTION("--json: one object a day") {
        auto r = s.show({"--from", "2026-10-10", "--days", "2", "--json"});
        CHECK(r.rc == 0);
        auto lines = notify::util::split(r.out, '\n');
        REQUIRE(lines.size() == 3);
        CHECK(lines[2].empty());
        auto saturday = nlohmann::json::parse(lines[0]);
        CHECK(saturday == nlohmann::json{{"date", "2026-10-10"},
                                         {"weekday", "Sat"},
                                         {"kind", "adjusted-workday"},
                                         {"working", true},
                                         {"hours", "09:00-18:00"},
                                         {"start", "2026-10-10T09:00:00+08:00"},
                                         {"end", "2026-10-10T18:00:00+08:00"},
                                         {"name", "National Day (make-up day)"}});
        auto sunday = nlohmann::json::parse(lines[1]);
        CHECK(sunday == nlohmann::json{{"date", "2026-10-11"},
                                       {"weekday", "Sun"},
                                       {"kind", "weekend"},
                                       {"working", false},
                                       {"hours", nullptr},
                                       {"start", nullptr},
                                       {"end", nullptr},
                                       {"name", nullptr}});
    }
    SECTION("by default 14 days from today in the calendar's zone") {
        Setup utc("timezone = \"UTC\"\n");
        const std::string before =
            notify::util::format_rfc3339(notify::util::now_ms()).substr(0, 10);
        auto r = utc.show({});
        const std::string after =
            notify::util::format_rfc3339(notify::util::now_ms()).substr(0, 10);
        CHECK(r.rc == 0);
        auto lines = notify::util::split(r.out, '\n');
        REQUIRE(lines.size() == 16);
        const std::string first = lines[1].substr(0, 10);
        CHECK((first == before || first == after));
    }
    SECTION("working hours through the zone's rules on the days the clocks change") {
        Setup london(
            "timezone = \"Europe/London\"\nworkdays = [\"MON\", \"SUN\"]\nhours = "
            "\"8:30-17:00\"\n");
        auto r = london.show({"--from", "2026-03-29", "--days", "2", "--json"});
        CHECK(r.rc == 0);
        auto lines = notify::util::split(r.out, '\n');
        REQUIRE(lines.size() == 3);
        CHECK(nlohmann::json::parse(lines[0])["start"] == "2026-03-29T08:30:00+01:00");
        CHECK(nlohmann::json::parse(lines[1])["end"] == "2026-03-30T17:00:00+01:00");
        CHECK(nlohmann::json::parse(lines[0])["hours"] == "08:30-17:00");
    }
}

TEST_CASE("calendar show refuses a bad file, a bad date and a bad count", "[cli][calendar]") {
    SECTION("a mistake in the override file: its file and line, exit 65") {
        Setup s(kChina, kChinaDays + "2026-02-30 holiday\n");
        auto r = s.show({"--from", "2026-10-01"});
        CHECK(r.rc == 65);
        CHECK(r.out.empty());
        CHECK(r.err == "notifyctl: error: " + s.dir.path() +
                           "/holidays.txt:4: '2026-02-30' is not a date (YYYY-MM-DD)\n");
        auto check = notifyctl({"--config", s.config, "config", "check"});
        CHECK(check.rc == 65);
        CHECK(check.err == r.err);
    }
    SECTION("a missing override file: exit 66") {
        Setup s(kChina);
        auto r = s.show({});
        CHECK(r.rc == 66);
        CHECK(r.err == "notifyctl: error: cannot read calendar file '" + s.dir.path() +
                           "/holidays.txt': No such file or directory\n");
    }
    SECTION("a mistake in [calendar]: the config file, line and key, exit 65") {
        Setup s("hours = \"18:00-09:00\"\n");
        auto r = s.show({});
        CHECK(r.rc == 65);
        CHECK(r.err == "notifyctl: error: " + s.config +
                           ":5: 'calendar.hours': '18:00-09:00' must begin before it ends (at most "
                           "00:00-24:00)\n");
    }
    SECTION("--from must be a date, --days 1 to 366") {
        Setup s(kChina, kChinaDays);
        auto r = s.show({"--from", "2026-13-01"});
        CHECK(r.rc == 65);
        CHECK(r.err == "notifyctl: error: --from: '2026-13-01' is not a date (YYYY-MM-DD)\n");
        for (const char* days : {"0", "367", "x"}) {
            auto bad = s.show({"--days", days});
            CHECK(bad.rc == 64);
            CHECK(bad.err.rfind("notifyctl: error: show: --days: ", 0) == 0);
        }
        CHECK(s.show({"--from", "2026-01-01", "--days", "366"}).rc == 0);
    }
    SECTION("a command is needed") {
        Setup s(kChina, kChinaDays);
        auto r = notifyctl({"--config", s.config, "calendar"});
        CHECK(r.rc == 64);
        CHECK(r.err ==
              "notifyctl: error: calendar: missing command: show (see 'notifyctl calendar "
              "--help')\n");
    }
}
