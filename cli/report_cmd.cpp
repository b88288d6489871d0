// report_cmd.cpp - `notifyctl report [--since T] [--until T] [--by DIM]...
// [--format table|csv|json] [--rebuild]`: counts per status, the peak per
// second, the share of each channel, the size and the time to send (average,
// p50, p95, p99), the top failure reasons per provider and the suppressions by
// reason, from the rollups (report/report.hpp), grouped by minute, hour or day
// and any of channel, provider, priority, status, template, module, category
// and group, every row or a page of them. Like `audit`, it reads the store directly (store.path);
// GET /v1/reports gives the same JSON to a read key.
//
// --rebuild counts everything again from the deliveries and their event log
// first (store/rollup_store.hpp), one rebuild at a time.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>
#include <optional>

#include "command.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "report/report.hpp"
#include "report/report_output.hpp"
#include "store/rollup_store.hpp"
#include "util/instance_lock.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

struct ReportOptions {
    report::RequestText text;
    std::string format = "table";
    bool rebuild = false;
};

std::string percent(double share) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%", share * 100);
    return buf;
}

std::string peak_text(const std::optional<store::Peak>& p, const char* what) {
    if (!p || p->per_second == 0) return std::string("0 ") + what + "/s";
    return std::to_string(p->per_second) + " " + what + "/s at " + report::format_time(p->at);
}

// `paged`: the rows are those from `offset` on, of rows_total.
void print_table(Context& ctx, const report::Report& r, bool paged, std::int64_t offset) {
    ctx.out << "report from " << report::format_time(r.from) << " until "
            << report::format_time(r.until) << "\n";
    const auto columns = report::figure_columns(r);
    const auto total = report::figure_values(r, r.total);
    // Columns that say something: statuses with a count, figures that are known.
    std::vector<bool> known(columns.size(), false);
    for (const auto& row : r.rows) {
        const auto values = report::figure_values(r, row);
        for (std::size_t i = 0; i < values.size(); ++i)
            if (!values[i].empty()) known[i] = true;
    }
    std::vector<std::size_t> shown;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const bool status = store::is_report_status(columns[i]);
        const bool always = columns[i] == "accepted" || columns[i] == "sent" ||
                            columns[i] == "failed" || columns[i] == "count";
        if (always || (status ? total[i] != "0" : known[i])) shown.push_back(i);
    }
    std::vector<std::string> headers;
    for (auto d : r.by) headers.push_back(util::to_upper(report::to_string(d)));
    for (auto i : shown) headers.push_back(util::to_upper(columns[i]));
    Table table(headers);
    auto add = [&](std::vector<std::string> key, const std::vector<std::string>& values) {
        for (auto& k : key)
            if (k.empty()) k = "-";
        for (auto i : shown) key.push_back(values[i].empty() ? "-" : values[i]);
        table.add(std::move(key));
    };
    for (const auto& row : r.rows) add(row.key, report::figure_values(r, row));
    const bool by_status =
        std::find(r.by.begin(), r.by.end(), report::Dimension::status) != r.by.end();
    if (!r.by.empty() && !by_status) {
        std::vector<std::string> key(r.by.size(), "");
        key[0] = "TOTAL";
        add(key, total);
    }
    if (r.by.empty() || !r.rows.empty()) table.print(ctx.out);
    if (paged && r.rows.empty())
        ctx.out << "no rows after row " << offset << " (" << r.rows_total << " in all)\n";
    else if (paged)
        ctx.out << "rows " << offset + 1 << "-" << offset + static_cast<std::int64_t>(r.rows.size())
                << " of " << r.rows_total << "\n";
    ctx.out << "peak: " << peak_text(r.total.peak_sent, "sent") << "; "
            << peak_text(r.total.peak_accepted, "accepted") << "\n";
    if (!r.channels.empty()) {
        ctx.out << "most used channel: " << r.channels.front().channel << " ("
                << percent(r.channels.front().share) << " of sent)";
        for (std::size_t i = 1; i < r.channels.size(); ++i)
            ctx.out << (i == 1 ? "; then " : ", ") << r.channels[i].channel << " "
                    << percent(r.channels[i].share);
        ctx.out << "\n";
    }
    if (!r.failures.empty()) {
        ctx.out << "\nfailure reasons:\n";
        Table failures({"PROVIDER", "STATUS", "COUNT", "REASON"});
        for (const auto& f : r.failures)
            failures.add({f.provider.empty() ? "-" : f.provider, f.status, std::to_string(f.count),
                          f.reason});
        failures.print(ctx.out);
    }
    if (!r.suppressions.empty()) {
        ctx.out << "\nsuppressions:\n";
        Table suppressions({"REASON", "COUNT"});
        for (const auto& s : r.suppressions) suppressions.add({s.reason, std::to_string(s.count)});
        suppressions.print(ctx.out);
    }
}

}  // namespace

Runner setup_report(CLI::App& cmd, Context& ctx) {
    auto o = std::make_shared<ReportOptions>();
    cmd.add_option("--since", o->text.since,
                   "from TIME (RFC 3339, YYYY-MM-DD, now-7d, ...; default: today 00:00)");
    cmd.add_option("--until", o->text.until, "until TIME (default: now)");
    cmd.add_option("--by", o->text.by,
                   "group by minute|hour|day|channel|provider|priority|status|template|module|"
                   "category|group (repeat, or separate with commas)");
    cmd.add_option("--offset", o->text.offset, "leave out the first N rows");
    cmd.add_option("--limit", o->text.limit, "show at most N rows (the total still counts all)");
    cmd.add_option("--format", o->format, "table (default), csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    cmd.add_flag("--rebuild", o->rebuild,
                 "count everything again from the deliveries and their events first");
    cmd.footer(
        "Examples:\n"
        "  notifyctl report --by channel\n"
        "  notifyctl report --since 2026-11-01 --until 2026-12-01 --by day --by status\n"
        "  notifyctl report --since now-1h --by minute --format csv > last-hour.csv\n"
        "  notifyctl report --since now-30d --by minute,channel --offset 1000 --limit 1000\n"
        "  notifyctl report --rebuild");
    return [&ctx, o]() -> int {
        auto config = load(ctx);
        if (!config) return fail(ctx, config.error());
        util::use_local_zone(config->report.timezone);
        auto request = report::parse_request(o->text, util::now_ms(), report::flag_names());
        if (!request) return fail(ctx, exit_usage, request.error().message);
        // A rebuild writes, on the leader; a report may come from a replica.
        auto s = o->rebuild ? open_store(*config, false) : open_store_to_read(ctx, *config);
        if (!s) return fail(ctx, s.error());
        std::optional<store::RollupStore> rollups;
        if (*s) {
            rollups.emplace(**s);
            if (o->rebuild) {
                auto lock = util::InstanceLock::acquire(
                    util::lock_path(config->runtime_dir, "notifyctl-report-rebuild"),
                    "a report rebuild");
                if (!lock) return fail(ctx, lock.error());
                auto marks = rollups->rebuild();
                if (!marks) return fail(ctx, marks.error());
                if (!ctx.globals.quiet)
                    ctx.err << "notifyctl: rebuilt the reports from deliveries up to "
                            << marks->delivery_seq << " and events up to " << marks->event_seq
                            << "\n";
            }
        } else if (o->rebuild && !ctx.globals.quiet) {
            ctx.err << "notifyctl: no store yet: nothing to rebuild\n";
        }
        // JSON and CSV are written row by row as the report is made; the
        // table needs every row first, for its columns.
        auto make = [&](report::RowSink* sink) -> Expected<report::Report> {
            if (!rollups) {
                report::Report r = report::empty(*request);
                if (sink) sink->begin(r);
                return r;
            }
            return sink ? report::make(*rollups, *request, *sink)
                        : report::make(*rollups, *request);
        };
        const std::string format = ctx.globals.json ? "json" : o->format;
        if (format == "json") {
            report::JsonReport json(ctx.out);
            auto r = make(&json);
            if (!r) return fail(ctx, r.error());
            json.end(*r);
            ctx.out << "\n";
        } else if (format == "csv") {
            report::CsvReport csv(ctx.out);
            auto r = make(&csv);
            if (!r) return fail(ctx, r.error());
        } else {
            auto r = make(nullptr);
            if (!r) return fail(ctx, r.error());
            print_table(ctx, *r, request->offset > 0 || request->limit > 0, request->offset);
        }
        return exit_ok;
    };
}

}  // namespace notify::cli
