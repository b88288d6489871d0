// schedule_cmd.cpp - `notifyctl schedule`: recurring sends. The subcommands
// that work on the schedules notify-priority-router keeps (add, ls, show, pause,
// resume, history, rm) are schedule_manage.cpp; this file sets up the group
// and `preview`.
//
// `notifyctl schedule preview EXPR [--tz ZONE] [--from TIME] [--count N]`: the
// next N instants a cron expression fires in a time zone
// (schedule/firings.hpp), RFC 3339 with the zone's offset, one per line, or
// with --json {"expression","timezone","from","firings":[...]}. It needs no
// daemon, store or configuration. A bad expression or zone exits 65 with
// the field and what is wrong.
#include <CLI/CLI.hpp>

#include <memory>

#include "command.hpp"
#include "output.hpp"
#include "schedule/cron.hpp"
#include "schedule/firings.hpp"
#include "schedule/zone.hpp"
#include "schedule_manage.hpp"
#include "util/time.hpp"

namespace notify::cli {

int fail_flag(Context& ctx, Error e, const std::string& flag) {
    e.message = flag + ": " + e.message;
    e.field = flag;
    return fail(ctx, e);
}

namespace {

struct PreviewOptions {
    std::string expression;
    std::string zone;
    std::string from;
    int count = 10;
};

int preview(Context& ctx, const PreviewOptions& o) {
    auto cron = schedule::parse_cron(o.expression);
    if (!cron) return fail_flag(ctx, cron.error(), "EXPR");
    auto zone = o.zone.empty() ? Expected<schedule::Zone>(schedule::Zone::local())
                               : schedule::Zone::named(o.zone);
    if (!zone) return fail_flag(ctx, zone.error(), "--tz");
    Millis from = util::now_ms();
    if (!o.from.empty()) {
        auto t = zone->read_time(o.from, from);
        if (!t) return fail_flag(ctx, t.error(), "--from");
        from = *t;
    }
    const auto firings =
        schedule::next_firings(*cron, *zone, from, static_cast<std::size_t>(o.count));
    if (firings.size() < static_cast<std::size_t>(o.count))
        warn(ctx, "it fires " + std::to_string(firings.size()) + " time" +
                      (firings.size() == 1 ? "" : "s") + " after " + zone->format(from) +
                      " and before the year " + std::to_string(schedule::kLastYear + 1));
    if (ctx.globals.json) {
        nlohmann::json list = nlohmann::json::array();
        for (Millis t : firings) list.push_back(zone->format(t));
        print_json(ctx.out, {{"expression", cron->text},
                             {"timezone", zone->name()},
                             {"from", zone->format(from)},
                             {"firings", std::move(list)}});
        return exit_ok;
    }
    std::string text;
    for (Millis t : firings) text += zone->format(t) + "\n";
    ctx.out << text;
    return exit_ok;
}

}  // namespace

Runner setup_schedule(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    std::vector<std::pair<CLI::App*, Runner>> subs;
    setup_schedule_manage(cmd, ctx, subs);
    auto o = std::make_shared<PreviewOptions>();
    auto* preview_cmd = cmd.add_subcommand(
        "preview", "print when a cron expression fires, with no daemon and no store");
    preview_cmd
        ->add_option("EXPR", o->expression,
                     "five fields (minute hour day-of-month month day-of-week) or @hourly, "
                     "@daily, @weekly, @monthly, @yearly")
        ->required();
    preview_cmd->add_option("--tz", o->zone,
                            "the IANA time zone it runs in (default: this machine's)");
    preview_cmd->add_option("--from", o->from,
                            "firings after TIME (RFC 3339, now+1d, \"YYYY-MM-DD HH:MM\" or "
                            "YYYY-MM-DD in --tz; default: now)");
    preview_cmd->add_option("--count", o->count, "how many (default 10, at most 100000)")
        ->check(CLI::Range(1, 100000));
    preview_cmd->footer(
        "Examples:\n"
        "  notifyctl schedule preview '0 9 * * MON-FRI' --tz Asia/Shanghai\n"
        "  notifyctl schedule preview '30 2 * * *' --tz America/New_York --from 2026-03-07 "
        "--count 3\n"
        "  notifyctl schedule preview @monthly --json");
    subs.emplace_back(preview_cmd, [&ctx, o] { return preview(ctx, *o); });
    cmd.footer(
        "Examples:\n"
        "  notifyctl schedule add weekly-report --cron '0 9 * * MON' --tz Asia/Shanghai \\\n"
        "      --channel email --to group:managers --template weekly-report\n"
        "  notifyctl schedule ls\n"
        "  notifyctl schedule history weekly-report");
    return dispatch(cmd, ctx, std::move(subs));
}

}  // namespace notify::cli
