// The override file of the company calendar: its plain and iCalendar forms,
// and every mistake named by file and line.
#include <catch2/catch.hpp>

#include "calendar/overrides.hpp"

using namespace notify::calendar;

namespace {

std::string error_of(const std::string& text, const std::string& name = "holidays.txt") {
    auto read = read_overrides(text, name);
    REQUIRE_FALSE(read);
    return read.error().message;
}

std::vector<Override> read(const std::string& text) {
    auto days = read_overrides(text, "holidays.txt");
    INFO((days ? "" : days.error().message));
    REQUIRE(days);
    return *days;
}

std::string ics(const std::string& events) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Holidays//EN\r\n" + events +
           "END:VCALENDAR\r\n";
}

}  // namespace

TEST_CASE("plain override files list days, ranges, kinds and names", "[calendar]") {
    SECTION("comments, blank lines, names and both kinds") {
        auto days = read(
            "# China 2026\n"
            "\n"
            "2026-10-01..2026-10-07  holiday  National Day\n"
            "2026-10-10 workday National Day (make-up day)\r\n"
            "   2026-12-25\tHOLIDAY\n"
            "2026-01-01 holiday\n");
        REQUIRE(days.size() == 10);
        CHECK(days[0].date == Date{2026, 1, 1});
        CHECK(days[0].name.empty());
        CHECK(days[0].line == 6);
        CHECK(days[1].date == Date{2026, 10, 1});
        CHECK(days[1].name == "National Day");
        CHECK(days[1].line == 3);
        CHECK(days[7].date == Date{2026, 10, 7});
        CHECK(days[8].date == Date{2026, 10, 10});
        CHECK(days[8].kind == OverrideKind::workday);
        CHECK(days[8].name == "National Day (make-up day)");
        CHECK(days[9].date == Date{2026, 12, 25});
        CHECK(days[9].kind == OverrideKind::holiday);
    }
    SECTION("an empty file and a byte order mark") {
        CHECK(read("").empty());
        CHECK(read("# nothing yet\n\n").empty());
        CHECK(read("\xEF\xBB\xBF"
                   "2026-05-01 holiday Labour Day\n")
                  .size() == 1);
    }
    SECTION("the same day twice with the same kind is once") {
        auto days = read("2026-10-01 holiday National Day\n2026-10-01..2026-10-02 holiday\n");
        REQUIRE(days.size() == 2);
        CHECK(days[0].name == "National Day");
    }
}

TEST_CASE("mistakes in a plain override file name the file and the line", "[calendar]") {
    CHECK(error_of("2026-01-01 holiday\n\n# x\n2026-02-30 holiday\n") ==
          "holidays.txt:4: '2026-02-30' is not a date (YYYY-MM-DD)");
    CHECK(error_of("2026-1-1 holiday\n") ==
          "holidays.txt:1: '2026-1-1' is not a date (YYYY-MM-DD)");
    CHECK(error_of("1899-12-31 holiday\n") ==
          "holidays.txt:1: '1899-12-31' is not a date (YYYY-MM-DD)");
    CHECK(error_of("2026-10-01 holyday National Day\n") ==
          "holidays.txt:1: unknown kind 'holyday' (holiday or workday)");
    CHECK(error_of("2026-10-01\n") ==
          "holidays.txt:1: '2026-10-01' needs a kind (holiday or workday)");
    CHECK(error_of("2026-10-07..2026-10-01 holiday\n") ==
          "holidays.txt:1: the range '2026-10-07..2026-10-01' ends before it begins");
    CHECK(error_of("2026-10-01..2026-10-0x holiday\n") ==
          "holidays.txt:1: '2026-10-0x' is not a date (YYYY-MM-DD)");
    SECTION("a day listed with both kinds names both lines") {
        CHECK(error_of("2026-10-01..2026-10-07 holiday National Day\n"
                       "2026-10-08 workday\n"
                       "2026-10-03 workday\n") ==
              "holidays.txt:3: 2026-10-03 is a workday here and a holiday on line 1");
    }
    SECTION("bounds: a range, the days in all, the size, the encoding") {
        CHECK(read("2024-01-01..2024-12-31 holiday\n").size() == 366);
        CHECK(read("2026-01-01..2027-01-01 holiday\n").size() == 366);
        CHECK(error_of("2026-01-01..2027-01-02 holiday\n") ==
              "holidays.txt:1: 2026-01-01..2027-01-02 is 367 days (at most 366 at once)");
        CHECK(error_of("2026-01-01..2026-12-31 holiday " + std::string(201, 'n') + "\n") ==
              "holidays.txt:1: the name is 201 bytes (at most 200)");
        CHECK(read("2026-01-01 holiday " + std::string(200, 'n') + "\n").front().name.size() ==
              200);
        CHECK(read("2026-01-01 holiday New\x1b[31mYear\n").front().name == "New [31mYear");
        std::string many;
        for (int year = 2000; year < 2028; ++year)
            many += std::to_string(year) + "-01-01.." + std::to_string(year) + "-12-31 holiday\n";
        CHECK(error_of(many) ==
              "holidays.txt:28: more than 10000 days listed (at most 10000 in a file)");
        CHECK(error_of(std::string(kMaxFileBytes + 1, '#')) ==
              "holidays.txt: larger than 1048576 bytes");
        CHECK(error_of("2026-01-01 holiday\n2026-05-01 holiday F\xEAte\n") ==
              "holidays.txt:2: not UTF-8 text");
    }
}

TEST_CASE("iCalendar override files: all-day events, folded lines, workdays", "[calendar]") {
    SECTION("one day, an exclusive DTEND, a DURATION; SUMMARY names them") {
        auto days = read(
            ics("BEGIN:VEVENT\r\nUID:1@example.com\r\nDTSTART;VALUE=DATE:20261001\r\n"
                "DTEND;VALUE=DATE:20261008\r\nSUMMARY:National Day\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nDTSTART:20260101\r\nSUMMARY:New Year\\, 2026\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260217\r\nDURATION:P1W\r\n"
                "SUMMARY:Spring Festival\r\nEND:VEVENT\r\n"));
        REQUIRE(days.size() == 15);
        CHECK(days[0].date == Date{2026, 1, 1});
        CHECK(days[0].name == "New Year, 2026");
        CHECK(days[0].line == 10);
        CHECK(days[1].date == Date{2026, 2, 17});
        CHECK(days[7].date == Date{2026, 2, 23});
        CHECK(days[8].date == Date{2026, 10, 1});
        CHECK(days[8].line == 4);
        CHECK(days[14].date == Date{2026, 10, 7});
        for (const auto& d : days) CHECK(d.kind == OverrideKind::holiday);
    }
    SECTION("a working day: CATEGORIES has WORKDAY, or X-NOTIFY-KIND says so") {
        auto days =
            read(ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261010\r\nSUMMARY:Make-up day\r\n"
                     "CATEGORIES:Holidays,Workday\r\nEND:VEVENT\r\n"
                     "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260920\r\nX-NOTIFY-KIND:WORKDAY\r\n"
                     "END:VEVENT\r\n"
                     "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nCATEGORIES:WORKDAY\r\n"
                     "X-NOTIFY-KIND:holiday\r\nEND:VEVENT\r\n"));
        REQUIRE(days.size() == 3);
        CHECK(days[0].date == Date{2026, 9, 20});
        CHECK(days[0].kind == OverrideKind::workday);
        CHECK(days[1].date == Date{2026, 10, 1});
        CHECK(days[1].kind == OverrideKind::holiday);  // X-NOTIFY-KIND wins
        CHECK(days[2].kind == OverrideKind::workday);
        CHECK(days[2].name == "Make-up day");
    }
    SECTION("folded lines (a space or a tab) are one line; bare LF; other components") {
        auto days = read(
            "BEGIN:VCALENDAR\n"
            "BEGIN:VTIMEZONE\nTZID:Asia/Shanghai\nEND:VTIMEZONE\n"
            "BEGIN:VEVENT\n"
            "DTSTART;VALUE=DA\n"
            " TE:2026100\n"
            "\t1\n"
            "SUMMARY;LANGUAGE=\"en:GB\":National\n"
            "  Day\n"
            "BEGIN:VALARM\nTRIGGER:-PT15M\nSUMMARY:not this\nEND:VALARM\n"
            "END:VEVENT\n"
            "END:VCALENDAR\n");
        REQUIRE(days.size() == 1);
        CHECK(days[0].date == Date{2026, 10, 1});
        CHECK(days[0].name == "National Day");
        CHECK(days[0].line == 5);
    }
    SECTION("a DTEND equal to its DTSTART is that one day") {
        auto days =
            read(ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\n"
                     "DTEND;VALUE=DATE:20261001\r\nEND:VEVENT\r\n"));
        REQUIRE(days.size() == 1);
        CHECK(days[0].date == Date{2026, 10, 1});
    }
    SECTION("an escaped comma is part of a category") {
        auto days =
            read(ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261010\r\n"
                     "CATEGORIES:Make-up\\, WORKDAY later,WORKDAY\r\nEND:VEVENT\r\n"
                     "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261011\r\n"
                     "CATEGORIES:Leave\\,WORKDAY\r\nEND:VEVENT\r\n"));
        REQUIRE(days.size() == 2);
        CHECK(days[0].kind == OverrideKind::workday);
        CHECK(days[1].kind == OverrideKind::holiday);
    }
    SECTION("cancelled events are left out; lowercase names are read") {
        auto days =
            read(ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nSTATUS:CANCELLED\r\n"
                     "END:VEVENT\r\nbegin:vevent\r\ndtstart;value=date:20261002\r\n"
                     "end:vevent\r\n"));
        REQUIRE(days.size() == 1);
        CHECK(days[0].date == Date{2026, 10, 2});
    }
}

TEST_CASE("mistakes in an iCalendar override file name the file and the line", "[calendar]") {
    auto event = [](const std::string& lines) {
        return error_of(ics("BEGIN:VEVENT\r\n" + lines + "END:VEVENT\r\n"), "cn.ics");
    };
    // The event begins on line 4 and its first property is on line 5.
    CHECK(event("DTSTART;VALUE=DATE:20260230\r\n") ==
          "cn.ics:5: DTSTART '20260230' is not a date (YYYYMMDD)");
    CHECK(event("DTSTART:20261001T090000Z\r\n") ==
          "cn.ics:5: DTSTART '20261001T090000Z' is a time of day; only all-day events "
          "(VALUE=DATE) are read");
    CHECK(event("SUMMARY:x\r\n") == "cn.ics:4: the event has no DTSTART");
    CHECK(event("DTSTART;VALUE=DATE:20261002\r\nDTEND;VALUE=DATE:20261001\r\n") ==
          "cn.ics:6: the event's DTEND 2026-10-01 is before its DTSTART 2026-10-02");
    CHECK(event("DTSTART;VALUE=DATE:20261001\r\nDTSTART;VALUE=DATE:20261002\r\n") ==
          "cn.ics:6: DTSTART is given twice in one event");
    CHECK(event("DTSTART;VALUE=DATE:20261001\r\nDURATION:PT8H\r\n") ==
          "cn.ics:6: DURATION 'PT8H' is not whole days (P1D) or weeks (P1W)");
    CHECK(event("DTSTART;VALUE=DATE:20261001\r\nDURATION:P2D\r\nDTEND;VALUE=DATE:20261003\r\n") ==
          "cn.ics:7: the event has both DTEND and DURATION");
    CHECK(event("DTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20270103\r\n") ==
          "cn.ics:4: 2026-01-01..2027-01-02 is 367 days (at most 366 at once)");
    CHECK(event("DTSTART;VALUE=DATE:20261001\r\nRRULE:FREQ=YEARLY\r\n") ==
          "cn.ics:6: a recurring event (RRULE) is not read; list each year's days as events of "
          "their own");
    CHECK(event("DTSTART;VALUE=DATE:20261001\r\nX-NOTIFY-KIND:holyday\r\n") ==
          "cn.ics:6: X-NOTIFY-KIND 'holyday' is not holiday or workday");
    CHECK(event("DTSTART;VALUE=DATE:20261001\r\nthis is no property\r\n") ==
          "cn.ics:6: 'this is no property' is not an iCalendar line (NAME:VALUE)");
    CHECK(event("DTSTART;VALUE:20261001\r\n") ==
          "cn.ics:5: 'DTSTART;VALUE:20261001' is not an iCalendar line (NAME:VALUE)");
    CHECK(event("DTSTART;VALUE=DATE:20261001\r\nEND:VCALENDAR\r\n") ==
          "cn.ics:6: END:VCALENDAR does not end BEGIN:VEVENT on line 4");
    SECTION("a day listed with both kinds names both events") {
        CHECK(error_of(ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:"
                           "20261008\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261003"
                           "\r\nCATEGORIES:WORKDAY\r\nEND:VEVENT\r\n"),
                       "cn.ics") ==
              "cn.ics:8: 2026-10-03 is a workday here and a holiday on line 4");
    }
    SECTION("the structure: cut short, outside, folded at the start, nested") {
        CHECK(error_of("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261001\r\n", "cn.ics") ==
              "cn.ics:2: BEGIN:VEVENT has no END:VEVENT (is the file cut short?)");
        CHECK(error_of(ics("") + "SUMMARY:late\r\n", "cn.ics") ==
              "cn.ics:5: SUMMARY outside BEGIN:VCALENDAR and END:VCALENDAR");
        CHECK(error_of(ics("") + "BEGIN:VEVENT\r\n", "cn.ics") ==
              "cn.ics:5: BEGIN:VEVENT outside a VCALENDAR");
        CHECK(error_of(ics("BEGIN:VCALENDAR\r\n"), "cn.ics") ==
              "cn.ics:4: BEGIN:VCALENDAR inside a VCALENDAR");
        CHECK(error_of("BEGIN:VCALENDAR\r\nEND:VEVENT\r\n", "cn.ics") ==
              "cn.ics:2: END:VEVENT does not end BEGIN:VCALENDAR on line 1");
    }
}
