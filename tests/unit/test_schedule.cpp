// Cron expressions, time zones and when a schedule fires: the fields and their
// errors, Vixie cron's day rule, and the wall times a change of offset skips
// or repeats (tests/integration/test_schedule_preview.py checks many more
// against an oracle over Python's zoneinfo).
#include <catch2/catch.hpp>

#include "schedule/cron.hpp"
#include "schedule/firings.hpp"
#include "schedule/zone.hpp"
#include "util/time.hpp"

using namespace notify;
using notify::util::Millis;

namespace {

Millis at(const char* text) {
    auto t = util::parse_time(text, 0);
    REQUIRE(t);
    return *t;
}

schedule::Zone zone(const char* name) {
    auto z = schedule::Zone::named(name);
    REQUIRE(z);
    return *z;
}

std::vector<std::string> firings(const char* expr, const char* tz, const char* from,
                                 std::size_t count) {
    auto cron = schedule::parse_cron(expr);
    REQUIRE(cron);
    const auto z = zone(tz);
    std::vector<std::string> out;
    for (Millis t : schedule::next_firings(*cron, z, at(from), count)) out.push_back(z.format(t));
    return out;
}

std::string error_of(const char* expr) {
    auto cron = schedule::parse_cron(expr);
    REQUIRE_FALSE(cron);
    CHECK(cron.error().code == "invalid_cron");
    CHECK(cron.error().kind == ErrorKind::invalid);
    return cron.error().message;
}

}  // namespace

TEST_CASE("cron fields take numbers, names, ranges, steps and lists") {
    auto c = schedule::parse_cron("*/15 9-17 1,15 JAN-mar,oct mon-FRI");
    REQUIRE(c);
    CHECK(c->minutes.count() == 4);
    CHECK(c->minutes[45]);
    CHECK(c->hours.count() == 9);
    CHECK(c->days.count() == 2);
    CHECK(c->months.count() == 4);
    CHECK(c->months[10]);
    CHECK(c->weekdays.count() == 5);
    CHECK_FALSE(c->weekdays[0]);
    // 7 is Sunday too; N/STEP runs from N to the end.
    c = schedule::parse_cron("5/20 0 * * 5-7");
    REQUIRE(c);
    CHECK(c->minutes.count() == 3);
    CHECK(c->minutes[5]);
    CHECK(c->minutes[45]);
    CHECK(c->weekdays[0]);
    CHECK(c->weekdays[6]);
    CHECK(c->weekdays.count() == 3);
    auto yearly = schedule::parse_cron(" @Yearly ");
    REQUIRE(yearly);
    CHECK(yearly->text == "@Yearly");
    CHECK(yearly->months.count() == 1);
    CHECK(yearly->days[1]);
}

TEST_CASE("a bad cron expression names its field and what is wrong") {
    CHECK(error_of("60 * * * *") == "minute: 60 is out of range 0-59");
    CHECK(error_of("* 24 * * *") == "hour: 24 is out of range 0-23");
    CHECK(error_of("* * 0 * *") == "day of month: 0 is out of range 1-31");
    CHECK(error_of("* * * 13 *") == "month: 13 is out of range 1-12 or JAN-DEC");
    CHECK(error_of("* * * * 8") == "day of week: 8 is out of range 0-7 or SUN-SAT");
    CHECK(error_of("* * * * MOON") ==
          "day of week: 'MOON' is not a number or a name (0-7 or SUN-SAT)");
    CHECK(error_of("*/0 * * * *") == "minute: a step of 0 in '*/0'");
    CHECK(error_of("10-5 * * * *") == "minute: the range '10-5' runs backwards");
    CHECK(error_of("1,,2 * * * *") == "minute: an empty item in '1,,2'");
    CHECK(error_of("x * * * *") == "minute: 'x' is not a number");
    CHECK(error_of("* * * *") ==
          "a cron expression has 5 fields (minute, hour, day of month, month, day of week), not 4");
    CHECK(error_of("0 0 * * * *").find("not 6") != std::string::npos);
    CHECK(error_of("").find("not 0") != std::string::npos);
    CHECK(error_of("@reboot").find("is not one of @yearly") != std::string::npos);
    CHECK(error_of("@daly").find("did you mean '@daily'?") != std::string::npos);
    CHECK(error_of("0 0 30 2 *") ==
          "day of month: no month in '2' has a day in '30', so it never fires");
    CHECK(error_of("0 0 31 4,6,9,11 *").find("never fires") != std::string::npos);
    // Both day fields restricted: either may fire, so this one does (Mondays).
    CHECK(schedule::parse_cron("0 0 30 2 MON"));
}

TEST_CASE("days fire on both day fields when either begins with '*', on either otherwise") {
    // 2026-11-02 was a Monday.
    CHECK(firings("0 9 1 * MON", "UTC", "2026-11-01T12:00:00Z", 5) ==
          std::vector<std::string>{"2026-11-02T09:00:00+00:00", "2026-11-09T09:00:00+00:00",
                                   "2026-11-16T09:00:00+00:00", "2026-11-23T09:00:00+00:00",
                                   "2026-11-30T09:00:00+00:00"});
    CHECK(firings("0 9 1 * MON", "UTC", "2026-11-30T12:00:00Z", 1) ==
          std::vector<std::string>{"2026-12-01T09:00:00+00:00"});
    // "*/2" begins with '*': odd days that are Mondays.
    CHECK(firings("0 9 */2 * 1", "UTC", "2026-11-01T00:00:00Z", 2) ==
          std::vector<std::string>{"2026-11-09T09:00:00+00:00", "2026-11-23T09:00:00+00:00"});
    // A leap day, four years on.
    CHECK(firings("0 0 29 2 *", "Asia/Shanghai", "2026-01-01T00:00:00Z", 2) ==
          std::vector<std::string>{"2028-02-29T00:00:00+08:00", "2032-02-29T00:00:00+08:00"});
}

TEST_CASE("a skipped wall time fires once at the end of the gap, a repeated one once") {
    // New York skipped 02:00-03:00 on 2026-03-08 and repeated 01:00-02:00 on 2026-11-01.
    CHECK(firings("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 3) ==
          std::vector<std::string>{"2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00",
                                   "2026-03-10T02:30:00-04:00"});
    CHECK(firings("*/20 2-3 8 3 *", "America/New_York", "2026-03-08T06:00:00Z", 4) ==
          std::vector<std::string>{"2026-03-08T03:00:00-04:00", "2026-03-08T03:20:00-04:00",
                                   "2026-03-08T03:40:00-04:00", "2027-03-08T02:00:00-05:00"});
    CHECK(firings("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 3) ==
          std::vector<std::string>{"2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00",
                                   "2026-11-03T01:30:00-05:00"});
    // Hourly over the fall-back: 01:00 once (its first), then 02:00 EST.
    CHECK(firings("0 * * * *", "America/New_York", "2026-11-01T04:30:00Z", 3) ==
          std::vector<std::string>{"2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00",
                                   "2026-11-01T03:00:00-05:00"});
    // From inside the repeated hour's second pass, its wall times have fired.
    CHECK(firings("45 1 * * *", "America/New_York", "2026-11-01T06:10:00Z", 1) ==
          std::vector<std::string>{"2026-11-02T01:45:00-05:00"});
}

TEST_CASE("a time zone is one of the tz database's, and formats with its offset") {
    auto bad = schedule::Zone::named("Mars/Olympus");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == "unknown_timezone");
    CHECK(bad.error().message.find("'Mars/Olympus' is not a time zone") == 0);
    CHECK_FALSE(schedule::Zone::named(""));
    const auto london = zone("Europe/London");
    CHECK(london.format(at("2026-01-10T09:00:00Z")) == "2026-01-10T09:00:00+00:00");
    CHECK(london.format(at("2026-07-10T09:00:00Z")) == "2026-07-10T10:00:00+01:00");
    const auto kolkata = zone("Asia/Kolkata");
    CHECK(kolkata.format(at("2026-07-10T09:00:00Z")) == "2026-07-10T14:30:00+05:30");
}
