// calendar_cmd.cpp - `notifyctl calendar show [--from DATE] [--days N]`: the
// company calendar ([calendar] in notify.toml(5), common/calendar), a day a
// line: the date, its weekday, what sort of day it is (workday, adjusted
// workday, weekend, holiday), its working hours in the calendar's zone, and
// the name the override file gives it. --json prints one object a day (JSON
// Lines): {"date","weekday","kind","working","hours","start","end","name"}.
//
// It reads the configuration and the override file, and needs no daemon and
// no store. A mistake in either exits 65 with the file and the line; a --from
// that is no date exits 65, a --days outside 1-366 exits 64.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "calendar/calendar.hpp"
#include "command.hpp"
#include "output.hpp"
#include "schedule_manage.hpp"
#include "util/day_window.hpp"
#include "util/strings.hpp"

namespace notify::cli {

namespace {

struct ShowOptions {
    std::string from;
    int days = 14;
};

// "Thu".
std::string weekday_text(unsigned weekday) {
    std::string name = weekday_name(weekday);
    return name.substr(0, 1) + util::to_lower(name.substr(1));
}

// "09:00-18:00" on the calendar's clock (seconds when there are any); "24:00"
// for an end at the next midnight.
std::string hours_text(const calendar::Calendar& cal, const calendar::CalendarDay& day) {
    auto clock = [&](Millis t, bool end) {
        if (end && cal.date_at(t) != day.date) return util::format_clock(util::kSecondsPerDay);
        const schedule::LocalTime wall = cal.zone().local_at(t);
        const auto second = static_cast<int>((t / 1000 % 60 + 60) % 60);
        return util::format_clock(static_cast<int>(wall.hour * 3600 + wall.minute * 60) + second);
    };
    return clock(day.start, false) + "-" + clock(day.end, true);
}

nlohmann::json day_json(const calendar::Calendar& cal, const calendar::CalendarDay& day) {
    const bool hours = day.working() && day.start < day.end;
    auto or_null = [](bool given, const std::string& text) {
        return given ? nlohmann::json(text) : nlohmann::json();
    };
    std::string kind = calendar::to_string(day.type);
    std::replace(kind.begin(), kind.end(), ' ', '-');
    return {{"date", calendar::format_date(day.date)},
            {"weekday", weekday_text(day.weekday)},
            {"kind", kind},
            {"working", day.working()},
            {"hours", or_null(hours, hours ? hours_text(cal, day) : "")},
            {"start", or_null(hours, cal.zone().format(day.start))},
            {"end", or_null(hours, cal.zone().format(day.end))},
            {"name", or_null(!day.name.empty(), day.name)}};
}

int show(Context& ctx, const ShowOptions& o) {
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    auto cal = calendar::Calendar::load(config->calendar);
    if (!cal) return fail(ctx, cal.error());
    calendar::Date from = cal->date_at(util::now_ms());
    if (!o.from.empty()) {
        auto date = calendar::parse_date(o.from);
        if (!date)
            return fail_flag(ctx,
                             make_error(ErrorKind::invalid, "invalid_date",
                                        "'" + o.from + "' is not a date (YYYY-MM-DD)"),
                             "--from");
        from = *date;
    }
    Table table({"DATE", "DAY", "KIND", "HOURS (" + cal->zone().name() + ")", "NAME"});
    for (std::int64_t n = calendar::day_number(from); n < calendar::day_number(from) + o.days;
         ++n) {
        const calendar::Date date = calendar::date_of(n);
        if (date.year > schedule::kLastYear) break;
        const calendar::CalendarDay day = cal->day(date);
        if (ctx.globals.json) {
            print_json(ctx.out, day_json(*cal, day));
            continue;
        }
        const bool hours = day.working() && day.start < day.end;
        table.add({calendar::format_date(date), weekday_text(day.weekday),
                   calendar::to_string(day.type), hours ? hours_text(*cal, day) : "-", day.name});
    }
    if (!ctx.globals.json) table.print(ctx.out);
    return exit_ok;
}

}  // namespace

Runner setup_calendar(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    auto o = std::make_shared<ShowOptions>();
    auto* show_cmd = cmd.add_subcommand(
        "show", "print working days, holidays and working hours, with no daemon and no store");
    show_cmd->add_option("--from", o->from,
                         "the first day, YYYY-MM-DD (default: today in the calendar's zone)");
    show_cmd->add_option("--days", o->days, "how many days (default 14, at most 366)")
        ->check(CLI::Range(1, 366));
    show_cmd->footer(
        "Examples:\n"
        "  notifyctl calendar show\n"
        "  notifyctl calendar show --from 2026-09-28 --days 21\n"
        "  notifyctl calendar show --json | jq -r 'select(.working | not) | .date'");
    cmd.footer(
        "The calendar is [calendar] in notify.toml: timezone, workdays, hours and a file of\n"
        "holidays and adjusted workdays (plain text or iCalendar); see notify.toml(5).\n\n"
        "Example:\n"
        "  notifyctl calendar show --from 2026-10-01 --days 10");
    return dispatch(cmd, ctx, {{show_cmd, [&ctx, o] { return show(ctx, *o); }}});
}

}  // namespace notify::cli
