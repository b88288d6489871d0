// The company calendar: working days by weekday and by the override file,
// working hours through the zone's rules on the days the clocks change, and
// when working hours end and begin.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "calendar/calendar.hpp"
#include "test_instants.hpp"

using namespace notify;
using namespace notify::calendar;

namespace {

using testing::at;

Calendar calendar_of(const std::string& zone, const std::string& overrides,
                     Config::Calendar settings = {}) {
    auto days = read_overrides(overrides, "days.txt");
    INFO((days ? "" : days.error().message));
    REQUIRE(days);
    settings.timezone = zone;
    auto calendar = Calendar::make(settings, *days);
    REQUIRE(calendar);
    return *calendar;
}

// China 2026: the National Day week off, two weekend days worked for it.
const std::string kChina2026 =
    "2026-09-20 workday National Day (make-up day)\n"
    "2026-10-01..2026-10-07 holiday National Day\n"
    "2026-10-10 workday National Day (make-up day)\n";

}  // namespace

TEST_CASE("an override wins over the weekday rule", "[calendar]") {
    const Calendar cn = calendar_of("Asia/Shanghai", kChina2026 + "2026-10-09 workday Friday\n");
    SECTION("a holiday Wednesday is no working day") {
        const Date wednesday{2026, 10, 7};
        CHECK(weekday_of(wednesday) == 3);
        CHECK_FALSE(cn.working_day(wednesday));
        const CalendarDay day = cn.day(wednesday);
        CHECK(day.type == DayType::holiday);
        CHECK(day.name == "National Day");
        CHECK_FALSE(day.working());
        CHECK(day.start == 0);
        CHECK_FALSE(cn.working_hours(at("2026-10-07T10:00:00+08:00")));
    }
    SECTION("an adjusted working Saturday and Sunday are working days") {
        for (const Date& date : {Date{2026, 10, 10}, Date{2026, 9, 20}}) {
            CHECK(cn.working_day(date));
            const CalendarDay day = cn.day(date);
            CHECK(day.type == DayType::adjusted_workday);
            CHECK(std::string(to_string(day.type)) == "adjusted workday");
            CHECK(day.name == "National Day (make-up day)");
        }
        const CalendarDay saturday = cn.day(Date{2026, 10, 10});
        CHECK(saturday.start == at("2026-10-10T09:00:00+08:00"));
        CHECK(saturday.end == at("2026-10-10T18:00:00+08:00"));
        CHECK(cn.working_hours(at("2026-10-10T10:00:00+08:00")));
    }
    SECTION("other days follow the weekday rule") {
        CHECK(cn.day(Date{2026, 10, 11}).type == DayType::weekend);
        CHECK(cn.day(Date{2026, 10, 12}).type == DayType::workday);
        CHECK(cn.day(Date{2026, 10, 12}).name.empty());
        CHECK(cn.day(Date{2026, 10, 9}).type == DayType::workday);  // listed, as it would be
        CHECK(cn.day(Date{2026, 10, 9}).name == "Friday");
        Config::Calendar weekend_work;
        weekend_work.workdays = 1u << 6 | 1u << 0;  // SAT and SUN only
        const Calendar shop = calendar_of("Asia/Shanghai", "", weekend_work);
        CHECK(shop.working_day(Date{2026, 10, 10}));
        CHECK_FALSE(shop.working_day(Date{2026, 10, 12}));
    }
    SECTION("the day of an instant is the zone's") {
        CHECK(cn.date_at(at("2026-10-09T16:30:00Z")) == Date{2026, 10, 10});
        CHECK(cn.date_at(at("2026-10-09T15:59:00Z")) == Date{2026, 10, 9});
    }
}

TEST_CASE("working hours are wall times of each day in the zone", "[calendar]") {
    // London springs forward at 01:00 GMT on Sunday 2026-03-29 and falls
    // back at 01:00 GMT on Sunday 2026-10-25; both Sundays are worked here.
    const Calendar london =
        calendar_of("Europe/London", "2026-03-29 workday\n2026-10-25 workday\n");
    SECTION("09:00-18:00 on either side of the spring change and on its day") {
        CHECK(london.day(Date{2026, 3, 27}).start == at("2026-03-27T09:00:00Z"));
        CHECK(london.day(Date{2026, 3, 27}).end == at("2026-03-27T18:00:00Z"));
        CHECK(london.day(Date{2026, 3, 29}).start == at("2026-03-29T08:00:00Z"));
        CHECK(london.day(Date{2026, 3, 29}).end == at("2026-03-29T17:00:00Z"));
        CHECK(london.day(Date{2026, 3, 30}).start == at("2026-03-30T08:00:00Z"));
        CHECK_FALSE(london.working_hours(at("2026-03-29T07:30:00Z")));  // 08:30 BST
        CHECK(london.working_hours(at("2026-03-29T08:00:00Z")));
        CHECK(london.working_hours(at("2026-03-29T16:59:59Z")));
        CHECK_FALSE(london.working_hours(at("2026-03-29T17:00:00Z")));  // 18:00 BST
    }
    SECTION("the autumn change") {
        CHECK(london.day(Date{2026, 10, 23}).start == at("2026-10-23T08:00:00Z"));
        CHECK(london.day(Date{2026, 10, 25}).start == at("2026-10-25T09:00:00Z"));
        CHECK(london.day(Date{2026, 10, 26}).end == at("2026-10-26T18:00:00Z"));
    }
    SECTION("hours the change skips begin at the end of the gap; a day to 24:00") {
        Config::Calendar night;
        night.hours.start = 90 * 60;  // 01:30, skipped on 2026-03-29
        night.hours.end = 24 * 3600;  // to midnight
        const Calendar shifts = calendar_of("Europe/London", "2026-03-29 workday\n", night);
        const CalendarDay day = shifts.day(Date{2026, 3, 29});
        CHECK(day.start == at("2026-03-29T01:00:00Z"));  // 02:00 BST
        CHECK(day.end == at("2026-03-29T23:00:00Z"));    // midnight BST
    }
}

TEST_CASE("when working hours end and when they next begin", "[calendar]") {
    const Calendar cn = calendar_of("Asia/Shanghai", kChina2026);
    SECTION("within working hours: their end; the start is now") {
        const Millis t = at("2026-10-09T17:00:00+08:00");
        CHECK(cn.working_hours_end(t) == at("2026-10-09T18:00:00+08:00"));
        CHECK(cn.next_working_start(t) == t);
        CHECK(cn.working_hours_end(at("2026-10-10T09:00:00+08:00")) ==
              at("2026-10-10T18:00:00+08:00"));
    }
    SECTION("outside them: the instant itself, and the next working morning") {
        const Millis evening = at("2026-10-09T18:00:00+08:00");  // the end is not within
        CHECK(cn.working_hours_end(evening) == evening);
        CHECK(cn.next_working_start(evening) == at("2026-10-10T09:00:00+08:00"));
        const Millis early = at("2026-10-09T08:59:59+08:00");
        CHECK(cn.working_hours_end(early) == early);
        CHECK(cn.next_working_start(early) == at("2026-10-09T09:00:00+08:00"));
    }
    SECTION("across a week of holidays") {
        const Millis t = at("2026-09-30T20:00:00+08:00");
        CHECK(cn.working_hours_end(t) == t);
        CHECK(cn.next_working_start(t) == at("2026-10-08T09:00:00+08:00"));
        CHECK(cn.next_working_start(at("2026-10-10T19:00:00+08:00")) ==
              at("2026-10-12T09:00:00+08:00"));
    }
    SECTION("hours round the clock run on across working days") {
        Config::Calendar all_day;
        all_day.hours.start = 0;
        all_day.hours.end = 24 * 3600;
        const Calendar shifts = calendar_of("Asia/Shanghai", kChina2026, all_day);
        // Thursday 2026-10-08 to Saturday 2026-10-10 (a make-up day) are worked.
        CHECK(shifts.working_hours_end(at("2026-10-08T12:00:00+08:00")) ==
              at("2026-10-11T00:00:00+08:00"));
        // Every day worked: a year ahead at most.
        all_day.workdays = 0x7f;
        const Calendar always = calendar_of("UTC", "", all_day);
        const Millis t = at("2026-01-01T12:00:00Z");
        CHECK(always.working_hours_end(t) == t + 367LL * 86'400'000 - 12 * 3'600'000);
    }
    SECTION("no working day ever") {
        Config::Calendar none;
        none.workdays = 0;
        const Calendar idle = calendar_of("UTC", "2026-01-01 holiday\n", none);
        CHECK(idle.next_working_start(at("2026-01-01T00:00:00Z")) == Calendar::kNever);
    }
}

TEST_CASE("a calendar is loaded from its settings and its file", "[calendar]") {
    char path[] = "/tmp/calendar-test-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    Config::Calendar settings;
    settings.timezone = "Asia/Shanghai";
    settings.file = path;
    SECTION("the file's days") {
        std::ofstream(path) << kChina2026;
        auto cn = Calendar::load(settings);
        REQUIRE(cn);
        CHECK(cn->zone().name() == "Asia/Shanghai");
        CHECK_FALSE(cn->working_day(Date{2026, 10, 1}));
    }
    SECTION("a mistake names the file and the line") {
        std::ofstream(path) << "2026-10-01 holiday\n2026-02-30 holiday\n";
        auto cn = Calendar::load(settings);
        REQUIRE_FALSE(cn);
        CHECK(cn.error().kind == ErrorKind::invalid);
        CHECK(cn.error().message ==
              std::string(path) + ":2: '2026-02-30' is not a date (YYYY-MM-DD)");
    }
    SECTION("a file that is not there, an unknown zone") {
        settings.file = std::string(path) + ".none";
        auto missing = Calendar::load(settings);
        REQUIRE_FALSE(missing);
        CHECK(missing.error().kind == ErrorKind::no_input);
        CHECK(missing.error().message ==
              "cannot read calendar file '" + settings.file + "': No such file or directory");
        settings.file.clear();
        settings.timezone = "Mars/Olympus";
        auto zone = Calendar::load(settings);
        REQUIRE_FALSE(zone);
        CHECK(zone.error().message.rfind("'calendar.timezone': 'Mars/Olympus' ", 0) == 0);
    }
    std::remove(path);
}
