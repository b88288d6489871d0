// Windows of every day's wall-clock time ("22:00-07:30"): read and written,
// made instants in a zone, across midnight and across a change of the clocks.
#include <catch2/catch.hpp>

#include "calendar/window.hpp"
#include "test_instants.hpp"

using namespace notify;
using namespace notify::calendar;

namespace {

using testing::at;
using testing::zone;

util::DayWindow window(const char* text) {
    auto w = util::parse_day_window(text, util::WindowRule::across_midnight);
    INFO((w ? "" : w.error().message));
    REQUIRE(w);
    return *w;
}

}  // namespace

TEST_CASE("A day window is read to the second and written back", "[calendar][window]") {
    using util::DayWindow;
    using util::WindowRule;
    auto w = util::parse_day_window(" 9:00 - 18:00:30 ", WindowRule::within_a_day);
    REQUIRE(w);
    CHECK(*w == DayWindow{9 * 3600, 18 * 3600 + 30});
    CHECK(util::format_day_window(*w) == "09:00-18:00:30");
    CHECK(util::format_day_window(window("22:00-24:00")) == "22:00-24:00");
    CHECK(window("23:30-06:00").crosses_midnight());
    CHECK_FALSE(window("01:00-06:00").crosses_midnight());
    // Working hours never cross midnight; quiet hours may, but are never empty.
    auto backwards = util::parse_day_window("18:00-09:00", WindowRule::within_a_day);
    REQUIRE_FALSE(backwards);
    CHECK(backwards.error().code == "invalid_day_window");
    CHECK(util::parse_day_window("00:00-24:00", WindowRule::within_a_day));
    CHECK_FALSE(util::parse_day_window("00:00-24:00", WindowRule::across_midnight));
    CHECK_FALSE(util::parse_day_window("07:00-07:00", WindowRule::across_midnight));
    for (const char* bad : {"", "-", "22:00", "22:00-", "22-07", "22:00-7:5", "22:00:5-07:00",
                            "24:00-07:00", "22:00-07:00:60", "22:00--07:00", "22:00-07:00x"})
        CHECK_FALSE(util::parse_day_window(bad, WindowRule::across_midnight));
}

TEST_CASE("Quiet hours in Asia/Shanghai, across midnight", "[calendar][window]") {
    const schedule::Zone shanghai = zone("Asia/Shanghai");
    const util::DayWindow night = window("22:00-07:30");
    // 23:00 and 06:00 in Shanghai are inside; each ends at the next 07:30 there.
    CHECK(window_end(shanghai, night, at("2026-12-04T23:00:00+08:00")) ==
          at("2026-12-05T07:30:00+08:00"));
    CHECK(window_end(shanghai, night, at("2026-12-05T06:00:00+08:00")) ==
          at("2026-12-05T07:30:00+08:00"));
    CHECK(window_end(shanghai, night, at("2026-12-05T22:00:00+08:00")) ==
          at("2026-12-06T07:30:00+08:00"));
    // Outside: the instant itself; the end is not part of the window.
    for (const char* outside :
         {"2026-12-05T07:30:00+08:00", "2026-12-05T12:00:00+08:00", "2026-12-05T21:59:59+08:00"})
        CHECK(window_end(shanghai, night, at(outside)) == at(outside));
    // Seconds count.
    const util::DayWindow short_one = window("12:00:05-12:00:10");
    CHECK(window_end(shanghai, short_one, at("2026-12-05T12:00:04+08:00")) ==
          at("2026-12-05T12:00:04+08:00"));
    CHECK(window_end(shanghai, short_one, at("2026-12-05T12:00:07+08:00")) ==
          at("2026-12-05T12:00:10+08:00"));
}

TEST_CASE("A window keeps to the clock on the nights the clocks change", "[calendar][window]") {
    const schedule::Zone new_york = zone("America/New_York");
    const util::DayWindow night = window("22:00-07:00");
    // 2026-03-08 springs forward at 02:00: the night is an hour shorter.
    CHECK(window_end(new_york, night, at("2026-03-08T01:00:00-05:00")) ==
          at("2026-03-08T07:00:00-04:00"));
    const auto [start, end] = window_on(new_york, Date{2026, 3, 7}, night);
    CHECK(start == at("2026-03-07T22:00:00-05:00"));
    CHECK(end - start == 8 * 3600 * 1000);
    // 2026-11-01 falls back at 02:00: an hour longer.
    const auto [fall_start, fall_end] = window_on(new_york, Date{2026, 10, 31}, night);
    CHECK(fall_end - fall_start == 10 * 3600 * 1000);
    CHECK(window_end(new_york, night, at("2026-11-01T01:30:00-05:00")) ==
          at("2026-11-01T07:00:00-05:00"));
    // A window the spring-forward skips is empty that day.
    const auto [gap_start, gap_end] = window_on(new_york, Date{2026, 3, 8}, window("02:10-02:50"));
    CHECK(gap_start == gap_end);
}
