// Cron expressions, time zones and when a schedule fires: the fields and their
// errors, Vixie cron's day rule, and the wall times a change of offset skips
// or repeats (tests/integration/test_schedule_preview.py checks many more
// against an oracle over Python's zoneinfo).
#include <catch2/catch.hpp>

#include <cstdlib>

#include "schedule/cron.hpp"
#include "schedule/firings.hpp"
#include "schedule/misfire.hpp"
#include "schedule/posix_tz.hpp"
#include "schedule/spec.hpp"
#include "schedule/zone.hpp"
#include "test_instants.hpp"
#include "util/time.hpp"

using namespace notify;
using notify::util::Millis;

namespace {

using testing::at;
using testing::zone;

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

TEST_CASE("the POSIX TZ rule that ends a zone file gives the offsets after its last change") {
    auto ny = schedule::parse_posix_tz("EST5EDT,M3.2.0,M11.1.0");
    REQUIRE(ny);
    CHECK(ny->std_offset == -5 * 3600);
    CHECK(ny->dst_offset == -4 * 3600);
    // 2040: the second Sunday of March is the 11th, the first of November the 4th.
    const auto [into, out_of] = ny->changes(2040);
    CHECK(into * 1000 == at("2040-03-11T07:00:00Z"));
    CHECK(out_of * 1000 == at("2040-11-04T06:00:00Z"));
    CHECK(ny->offset_at(at("2040-07-01T00:00:00Z") / 1000) == -4 * 3600);
    CHECK(ny->offset_at(at("2040-12-01T00:00:00Z") / 1000) == -5 * 3600);

    // Lord Howe: +10:30, half an hour more in the southern summer.
    auto lh = schedule::parse_posix_tz("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    REQUIRE(lh);
    CHECK(lh->std_offset == 10 * 3600 + 1800);
    CHECK(lh->dst_offset == 11 * 3600);
    CHECK(lh->offset_at(at("2040-01-15T00:00:00Z") / 1000) == 11 * 3600);
    CHECK(lh->offset_at(at("2040-06-15T00:00:00Z") / 1000) == 10 * 3600 + 1800);
    // Dublin: standard time in summer, one hour less ("daylight saving") in winter.
    auto dublin = schedule::parse_posix_tz("IST-1GMT0,M10.5.0,M3.5.0/1");
    REQUIRE(dublin);
    CHECK(dublin->offset_at(at("2040-07-01T00:00:00Z") / 1000) == 3600);
    CHECK(dublin->offset_at(at("2040-01-01T00:00:00Z") / 1000) == 0);
    // Times past 24 hours, Julian days, days from 0, no summer time at all.
    auto santiago = schedule::parse_posix_tz("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    REQUIRE(santiago);
    CHECK(santiago->start.time == 24 * 3600);
    auto julian = schedule::parse_posix_tz("ABC-2DEF,J60/-1:30,300/25:00:00");
    REQUIRE(julian);
    CHECK(julian->start.time == -5400);
    CHECK(julian->changes(2040).first * 1000 == at("2040-03-01T00:00:00+02:00") - 5'400'000);
    auto shanghai = schedule::parse_posix_tz("CST-8");
    REQUIRE(shanghai);
    CHECK_FALSE(shanghai->has_dst);
    CHECK(shanghai->offset_at(0) == 8 * 3600);
    for (const char* bad : {"", "E5", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0",
                            "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J1",
                            "EST200", "<+1030-10:30", "EST5EDT,M3.2.0,M11.1.0x"})
        CHECK_FALSE(schedule::parse_posix_tz(bad));
    // The system's zone file ends with its rule.
    auto file = schedule::read_tzif_rule("/usr/share/zoneinfo/America/New_York");
    REQUIRE(file);
    CHECK(file->has_dst);
    CHECK(file->start.month == 3);
    CHECK_FALSE(schedule::read_tzif_rule("/nonexistent/zone"));
}

TEST_CASE("zones keep changing their offsets after the last change their files list") {
    CHECK(firings("0 12 1 1,7 *", "America/New_York", "2039-12-01T00:00:00Z", 4) ==
          std::vector<std::string>{"2040-01-01T12:00:00-05:00", "2040-07-01T12:00:00-04:00",
                                   "2041-01-01T12:00:00-05:00", "2041-07-01T12:00:00-04:00"});
    // The night New York springs forward in 2040, and falls back.
    CHECK(firings("30 2 * * *", "America/New_York", "2040-03-10T12:00:00Z", 2) ==
          std::vector<std::string>{"2040-03-11T03:00:00-04:00", "2040-03-12T02:30:00-04:00"});
    CHECK(firings("30 1 * * *", "America/New_York", "2040-11-03T12:00:00Z", 2) ==
          std::vector<std::string>{"2040-11-04T01:30:00-04:00", "2040-11-05T01:30:00-05:00"});
    CHECK(zone("Europe/Dublin").format(at("2045-07-01T12:00:00Z")) == "2045-07-01T13:00:00+01:00");
    CHECK(zone("Asia/Shanghai").format(at("2045-07-01T12:00:00Z")) == "2045-07-01T20:00:00+08:00");
}

namespace {

schedule::Spec spec_of(schedule::SpecText text, Millis now, Millis anchor = 0) {
    auto spec = schedule::parse_spec(text, now, anchor ? anchor : now, schedule::spec_flag_names());
    REQUIRE(spec);
    return *spec;
}

Error spec_error(schedule::SpecText text, Millis now) {
    auto spec = schedule::parse_spec(text, now, now, schedule::spec_flag_names());
    REQUIRE_FALSE(spec);
    CHECK(spec.error().kind == ErrorKind::invalid);
    return spec.error();
}

}  // namespace

TEST_CASE("a schedule fires by cron in its zone, every period in absolute time, or once") {
    const Millis now = at("2026-11-01T04:00:00Z");  // 00:00 EDT, the night New York falls back
    auto cron = spec_of({"0 * * * *", "", "", "America/New_York", ""}, now);
    CHECK(cron.next_after(now) == at("2026-11-01T05:00:00Z"));                         // 01:00 EDT
    CHECK(cron.next_after(at("2026-11-01T05:00:00Z")) == at("2026-11-01T07:00:00Z"));  // 02:00 EST
    CHECK(cron.describe() == "cron 0 * * * * America/New_York");
    // Every hour is every 3,600 s across the change: 01:00 EDT, then 01:00 EST.
    auto every = spec_of({"", "1h", "", "America/New_York", ""}, now);
    CHECK(every.next_after(now) == at("2026-11-01T05:00:00Z"));
    CHECK(every.next_after(at("2026-11-01T05:00:00Z")) == at("2026-11-01T06:00:00Z"));
    CHECK(every.next_after(at("2026-11-01T05:30:00Z")) == at("2026-11-01T06:00:00Z"));
    CHECK(every.describe() == "every 1h");
    auto once = spec_of({"", "", "2026-11-02 09:00", "Asia/Shanghai", ""}, now);
    CHECK(once.next_after(now) == at("2026-11-02T01:00:00Z"));
    CHECK_FALSE(once.next_after(at("2026-11-02T01:00:00Z")));
    // Nothing after until.
    auto until = spec_of({"", "10m", "", "", "now+25m"}, now);
    CHECK(until.next_after(now) == now + 600'000);
    CHECK(until.next_after(now + 600'000) == now + 1'200'000);
    CHECK_FALSE(until.next_after(now + 1'200'000));
}

TEST_CASE("a bad schedule names its field") {
    const Millis now = at("2026-12-04T12:00:00Z");
    CHECK(spec_error({"60 * * * *", "", "", "", ""}, now).message ==
          "--cron: minute: 60 is out of range 0-59");
    CHECK(spec_error({"", "0s", "", "", ""}, now).field == "--every");
    CHECK(spec_error({"", "500ms", "", "", ""}, now).message.find("at least 1s") !=
          std::string::npos);
    CHECK(spec_error({"", "soon", "", "", ""}, now).field == "--every");
    CHECK(spec_error({"@daily", "", "", "Mars/Base", ""}, now).field == "--tz");
    CHECK(spec_error({"", "", "2026-12-01 09:00", "UTC", ""}, now)
              .message.find("is not in the future") != std::string::npos);
    CHECK(spec_error({"@daily", "", "", "", "2026-12-03"}, now).field == "--until");
    CHECK(spec_error({"", "", "now+2h", "", "now+1h"}, now).message ==
          "--until: it would never fire: its first firing comes after --until");
    CHECK(spec_error({"", "", "", "", ""}, now).message ==
          "--cron: one of --cron, --every and --at is needed");
    CHECK(spec_error({"@daily", "1h", "", "", ""}, now).field == "--every");
    auto bad =
        schedule::parse_spec({"@daily", "", "", "", ""}, now, now, schedule::spec_field_names());
    CHECK(bad);
    CHECK(schedule::parse_spec({"@dayly", "", "", "", ""}, now, now, schedule::spec_field_names())
              .error()
              .field == "cron");
}

TEST_CASE("late firings follow the misfire policy; firings on time are always made") {
    const Millis t0 = at("2026-12-04T08:00:00Z");
    auto every = spec_of({"", "15m", "", "UTC", ""}, t0 - 900'000, t0 - 900'000);
    REQUIRE(every.next_after(t0 - 1) == t0);
    const Millis grace = 60'000;
    // On time: one firing, the next after it.
    auto p = schedule::plan(every, t0, t0 + 5'000, schedule::Misfire::skip, grace, 10);
    CHECK(p.make == std::vector<Millis>{t0});
    CHECK(p.late == 0);
    CHECK(p.next == t0 + 900'000);
    // Down from 08:00 to 09:10: 08:00, 08:15, 08:30, 08:45 and 09:00 are late.
    const Millis back = at("2026-12-04T09:10:00Z");
    p = schedule::plan(every, t0, back, schedule::Misfire::once, grace, 10);
    CHECK(p.make == std::vector<Millis>{at("2026-12-04T09:00:00Z")});
    CHECK(p.late == 5);
    CHECK(p.missed == 4);
    CHECK(p.late_first == t0);
    CHECK(p.late_last == at("2026-12-04T09:00:00Z"));
    CHECK(p.missed_first == t0);
    CHECK(p.next == at("2026-12-04T09:15:00Z"));
    p = schedule::plan(every, t0, back, schedule::Misfire::all, grace, 3);
    CHECK(p.make == std::vector<Millis>{t0, t0 + 900'000, t0 + 1'800'000});
    CHECK(p.missed == 2);  // past the cap of 3
    CHECK(p.missed_first == at("2026-12-04T08:45:00Z"));
    p = schedule::plan(every, t0, back, schedule::Misfire::skip, grace, 10);
    CHECK(p.make.empty());
    CHECK(p.missed == 5);
    CHECK(p.missed_first == t0);
    // Late ones and one on time: 09:00:30 is within the minute of grace.
    p = schedule::plan(every, t0, at("2026-12-04T09:00:30Z"), schedule::Misfire::once, grace, 10);
    CHECK(p.make == std::vector<Millis>{at("2026-12-04T08:45:00Z"), at("2026-12-04T09:00:00Z")});
    CHECK(p.missed == 3);
    // A firing every second down for a year is not walked one by one.
    auto second = spec_of({"", "1s", "", "UTC", ""}, t0 - 1000, t0 - 1000);
    p = schedule::plan(second, t0, t0 + 365LL * 86'400'000, schedule::Misfire::skip, grace, 10,
                       1000);
    CHECK(p.late == 1000);
    CHECK(p.next == t0 + 365LL * 86'400'000 + 1000);
    // A one-shot that was missed is spent after it.
    auto once = spec_of({"", "", "now+1h", "UTC", ""}, t0);
    p = schedule::plan(once, t0 + 3'600'000, t0 + 7'200'000, schedule::Misfire::once, grace, 10);
    CHECK(p.make == std::vector<Millis>{t0 + 3'600'000});
    CHECK_FALSE(p.next);
    CHECK(*schedule::parse_misfire("all") == schedule::Misfire::all);
    CHECK(schedule::parse_misfire("some").error().message ==
          "the misfire policy is once, all or skip, not 'some'");
}

TEST_CASE("wall times are read in the zone by the same rule as firings") {
    const auto ny = zone("America/New_York");
    // Repeated: the first occurrence (EDT); skipped: the end of the gap.
    CHECK(*ny.read_time("2026-11-01 01:30", 0) == at("2026-11-01T05:30:00Z"));
    CHECK(*ny.read_time("2026-03-08 02:30:15", 0) == at("2026-03-08T07:00:15Z"));
    CHECK(*ny.read_time("2026-03-08", 0) == at("2026-03-08T05:00:00Z"));
    // With a zone of its own, or relative: as written.
    CHECK(*ny.read_time("2026-03-08T02:30:00Z", 0) == at("2026-03-08T02:30:00Z"));
    CHECK(*ny.read_time("2026-03-08T02:30:00+08:00", 0) == at("2026-03-07T18:30:00Z"));
    CHECK(*ny.read_time("now+1h", 1000) == 3'601'000);
    for (const char* bad : {"10000-01-01", "now+11500000d", "1899-12-31", "someday"}) {
        auto t = ny.read_time(bad, 0);
        CHECK_FALSE(t);
    }
    CHECK(ny.read_time("now+11500000d", 0).error().message ==
          "'now+11500000d' is not between the years 1900 and 9999");
}

TEST_CASE("the next firing is searched for over a whole cycle of the calendar") {
    // February 29 on a Sunday (a '*' in day of week ANDs the day fields): 28 to 40 years apart.
    CHECK(firings("0 0 29 2 */7", "UTC", "2033-01-01T00:00:00Z", 3) ==
          std::vector<std::string>{"2060-02-29T00:00:00+00:00", "2088-02-29T00:00:00+00:00",
                                   "2128-02-29T00:00:00+00:00"});
    // Nothing past the year 9999.
    CHECK(firings("0 0 29 2 *", "UTC", "9990-01-01T00:00:00Z", 5).size() == 2);
}

TEST_CASE("the machine's zone is the one TZ names") {
    const char* saved = std::getenv("TZ");
    const std::string old = saved ? saved : "";
    setenv("TZ", "Asia/Kolkata", 1);
    CHECK(schedule::Zone::local().name() == "Asia/Kolkata");
    setenv("TZ", ":Europe/Dublin", 1);
    CHECK(schedule::Zone::local().name() == "Europe/Dublin");
    if (saved)
        setenv("TZ", old.c_str(), 1);
    else
        unsetenv("TZ");
}
