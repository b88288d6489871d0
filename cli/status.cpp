// status.cpp - `notifyctl status ID` (one notification, its deliveries and,
// with -v, its activity log) and `notifyctl ls` (notifications, newest first).
//
// --json: status prints the API body as it is; ls prints JSON Lines, one
// notification per line, and the next cursor as a hint on stderr.
#include <CLI/CLI.hpp>

#include <memory>

#include "client.hpp"
#include "command.hpp"
#include "input.hpp"
#include "output.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

void print_summary(std::ostream& out, const nlohmann::json& n, bool verbose) {
    auto field = [&](const char* label, const std::string& value) {
        if (!value.empty()) out << label << value << "\n";
    };
    field("id:        ", member(n, "id"));
    field("channel:   ", member(n, "channel"));
    field("priority:  ", member(n, "priority"));
    field("created:   ", member(n, "created_at"));
    field("send at:   ", member(n, "send_at"));
    field("expires:   ", member(n, "expires_at"));
    field("category:  ", member(n, "category"));
    field("module:    ", member(n, "module"));
    field("source:    ", member(n, "source"));
    field("subject:   ", clip(member(n, "subject"), 200));
    field("states:    ", states_summary(n.value("states", nlohmann::json::object())));

    Table deliveries({"ID", "TO", "STATE", "ATTEMPTS", "PROVIDER", "DETAIL"});
    for (const auto& d : n.value("deliveries", nlohmann::json::array())) {
        std::string detail = member(d, "state") == "sent" ? member(d, "provider_message_id")
                                                          : member(d, "last_error");
        std::string next = member(d, "next_attempt_at");
        if (detail.empty() && !next.empty()) detail = "next attempt " + next;
        deliveries.add({member(d, "id"), member(d, "to", "-"), member(d, "state"),
                        member(d, "attempts", "0"), member(d, "provider", "-"),
                        clip(detail.empty() ? "-" : detail, 100)});
    }
    out << "\n";
    deliveries.print(out);

    if (!verbose) return;
    Table events({"AT", "DELIVERY", "EVENT", "DETAIL"});
    for (const auto& e : n.value("events", nlohmann::json::array()))
        events.add({member(e, "at"), member(e, "delivery_id"), member(e, "type"),
                    clip(member(e, "detail", "-"), 120)});
    out << "\n";
    events.print(out);
}

struct ListOptions {
    std::string status, channel, priority, since, until, module, cursor;
    int limit = 0;
};

}  // namespace

Runner setup_status(CLI::App& cmd, Context& ctx) {
    auto id = std::make_shared<std::string>();
    cmd.add_option("ID", *id, "the notification id that send printed")->required();
    cmd.footer(
        "Shows the notification, then one row per delivery (the detail is the provider's\n"
        "message id when sent, else the last error); -v adds the activity log.\n\n"
        "Example:\n"
        "  notifyctl status -v 01JD8X3T6Q4M9V2K7C5B0RZP1A");
    return [id, &ctx]() -> int {
        Api api(ctx);
        if (int rc = api.open()) return rc;
        nlohmann::json n;
        Request req{"GET", "/v1/notifications/" + path_segment(*id), {}, nullptr};
        if (int rc = api.call(req, "status '" + *id + "'", n)) return rc;
        if (ctx.globals.json)
            print_json(ctx.out, n);
        else
            print_summary(ctx.out, n, ctx.globals.verbose > 0);
        return exit_ok;
    };
}

Runner setup_ls(CLI::App& cmd, Context& ctx) {
    auto o = std::make_shared<ListOptions>();
    cmd.add_option("--status", o->status,
                   "only notifications with a delivery in this state (queued, failed, ...)");
    cmd.add_option("--channel", o->channel, "only this channel");
    cmd.add_option("--priority", o->priority, "only this priority: high, medium or low");
    cmd.add_option("--since", o->since,
                   "created at or after: RFC 3339, now-1h, 'YYYY-MM-DD HH:MM'");
    cmd.add_option("--until", o->until, "created before this time");
    cmd.add_option("--module", o->module, "only this module");
    cmd.add_option("--limit", o->limit, "at most this many (the server's default: 50)")
        ->check(CLI::Range(1, 1000));
    cmd.add_option("--cursor", o->cursor, "the next page: the cursor the previous page printed");
    cmd.footer(
        "Example:\n"
        "  notifyctl ls --status failed --since now-24h --channel sms");
    return [o, &ctx]() -> int {
        Request req{"GET", "/v1/notifications", {}, nullptr};
        if (!o->status.empty()) {
            auto s = state_arg(o->status, "--status");
            if (!s) return fail(ctx, s.error());
            req.query["status"] = *s;
        }
        if (!o->priority.empty()) {
            auto p = priority_arg(o->priority, "--priority");
            if (!p) return fail(ctx, p.error());
            req.query["priority"] = *p;
        }
        for (auto [flag, text, key] : {std::tuple{"--since", &o->since, "since"},
                                       std::tuple{"--until", &o->until, "until"}}) {
            if (text->empty()) continue;
            auto t = time_arg(*text, "", flag);
            if (!t) return fail(ctx, t.error());
            req.query[key] = *t;
        }
        if (req.query.count("since") && req.query.count("until")) {
            auto since = util::parse_time(req.query["since"], 0, "UTC");
            auto until = util::parse_time(req.query["until"], 0, "UTC");
            if (since && until && *since >= *until)
                return fail(ctx, exit_usage,
                            "ls: --since '" + o->since + "' (" + req.query["since"] +
                                ") is not before --until '" + o->until + "' (" +
                                req.query["until"] + "): nothing could match");
        }
        if (!o->channel.empty()) req.query["channel"] = o->channel;
        if (!o->module.empty()) req.query["module"] = o->module;
        if (o->limit > 0) req.query["limit"] = std::to_string(o->limit);
        if (!o->cursor.empty()) req.query["cursor"] = o->cursor;

        Api api(ctx);
        if (int rc = api.open()) return rc;
        nlohmann::json page;
        if (int rc = api.call(req, "ls", page)) return rc;
        const auto list = page.value("notifications", nlohmann::json::array());
        if (ctx.globals.json) {
            for (const auto& n : list) print_json(ctx.out, n);
        } else {
            Table table({"ID", "CREATED", "CHANNEL", "PRIORITY", "STATES", "SUBJECT"});
            for (const auto& n : list)
                table.add({member(n, "id"), member(n, "created_at"), member(n, "channel"),
                           member(n, "priority"),
                           states_summary(n.value("states", nlohmann::json::object())),
                           clip(member(n, "subject", "-"), 40)});
            if (table.empty())
                ctx.out << "no notifications\n";
            else
                table.print(ctx.out);
        }
        std::string next = member(page, "next_cursor");
        if (!next.empty() && !ctx.globals.quiet)
            ctx.err << "notifyctl: more notifications: repeat with --cursor " << next << "\n";
        return exit_ok;
    };
}

}  // namespace notify::cli
