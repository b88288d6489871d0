// status.cpp - `notifyctl status ID` (one notification, its deliveries and,
// with -v, its activity log) and `notifyctl ls` (notifications, newest first).
//
// --json: status prints the API body as it is; ls prints JSON Lines, one
// notification per line, and the next cursor as a hint on stderr.
//
// A fan-out (a send to users or groups, or one held for approval) shows its
// targets, its state, how many of its recipients are expanded, and who
// approved or rejected it; `ls --status pending-approval` lists those waiting,
// `ls --status canceled` those with a canceled delivery or a canceled fan-out.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>
#include <memory>

#include "client.hpp"
#include "command.hpp"
#include "input.hpp"
#include "model.hpp"
#include "output.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

// "pending-approval, 12000 recipients" / "done, 3 of 3 recipients expanded" /
// "canceled, 12000 recipients" (before any was expanded).
std::string fanout_summary(const nlohmann::json& f) {
    std::string state = member(f, "state", "?");
    std::int64_t total = f.value("total", std::int64_t{0});
    std::int64_t expanded = f.value("expanded", std::int64_t{0});
    if (state == "pending-approval" || state == "rejected" ||
        (state == "canceled" && expanded == 0))
        return state + ", " + count_of(total, "recipient", "recipients");
    // A user with several addresses on the channel (devices) has a delivery each.
    return state + ", " + count_of(expanded, "delivery", "deliveries") + " made for " +
           count_of(total, "recipient", "recipients");
}

// "approved by alice at T" / "rejected by bob at T: wrong audience", or "".
std::string decision_summary(const nlohmann::json& f) {
    std::string by = member(f, "decided_by");
    if (by.empty()) return {};
    std::string verb = member(f, "state") == "rejected" ? "rejected" : "approved";
    std::string text = verb + " by " + by;
    std::string at = member(f, "decided_at");
    if (!at.empty()) text += " at " + at;
    std::string reason = member(f, "reason");
    if (!reason.empty()) text += ": " + reason;
    return text;
}

// The STATES column of ls: delivery states, and a fan-out's own state until it
// is done.
std::string states_cell(const nlohmann::json& n) {
    std::string states = states_summary(n.value("states", nlohmann::json::object()));
    auto f = n.find("fanout");
    if (f == n.end() || !f->is_object()) return states;
    std::string state = member(*f, "state");
    if (state.empty() || state == "done") return states;
    return n.value("deliveries", nlohmann::json::array()).empty() ? state : state + " " + states;
}

void print_summary(std::ostream& out, const nlohmann::json& n, bool verbose) {
    auto field = [&](const char* label, const std::string& value) {
        if (!value.empty()) out << label << value << "\n";
    };
    const auto fanout = n.value("fanout", nlohmann::json());
    field("id:        ", member(n, "id"));
    field("channel:   ", member(n, "channel"));
    field("priority:  ", member(n, "priority"));
    field("created:   ", member(n, "created_at"));
    field("send at:   ", member(n, "send_at"));
    field("expires:   ", member(n, "expires_at"));
    field("category:  ", member(n, "category"));
    field("module:    ", member(n, "module"));
    field("bulk:      ", n.value("bulk", false) ? "yes" : "");
    field("source:    ", member(n, "source"));
    field("subject:   ", clip(member(n, "subject"), 200));
    if (fanout.is_object()) {
        std::vector<std::string> targets;
        for (const auto& t : n.value("to", nlohmann::json::array()))
            if (t.is_string()) targets.push_back(t.get<std::string>());
        field("to:        ", clip(util::join(targets, ", "), 200));
        field("fan-out:   ", fanout_summary(fanout));
        field("decision:  ", decision_summary(fanout));
    }
    field("states:    ", states_summary(n.value("states", nlohmann::json::object())));

    // Deliveries made for directory users name them.
    const auto all = n.value("deliveries", nlohmann::json::array());
    bool users = std::any_of(all.begin(), all.end(),
                             [](const nlohmann::json& d) { return !member(d, "user_id").empty(); });
    std::vector<std::string> headers = {"ID", "TO", "STATE", "ATTEMPTS", "PROVIDER", "DETAIL"};
    if (users) headers.insert(headers.begin() + 1, "USER");
    Table deliveries(headers);
    // A delivery held for working or quiet hours says so: "held until T (quiet hours)".
    std::map<std::string, std::string> held;
    for (const auto& e : n.value("events", nlohmann::json::array())) {
        const std::string id = member(e, "delivery_id");
        if (member(e, "type") == "held")
            held[id] = "held " + member(e, "detail");
        else if (!id.empty())
            held.erase(id);
    }
    for (const auto& d : all) {
        const std::string state = member(d, "state");
        std::string detail = state == "sent" || state == "delivered"
                                 ? member(d, "provider_message_id")
                                 : member(d, "last_error");
        std::string next = member(d, "next_attempt_at");
        if (auto h = held.find(member(d, "id")); state == "scheduled" && h != held.end())
            detail = h->second;
        if (detail.empty() && !next.empty()) detail = "next attempt " + next;
        std::vector<std::string> row = {member(d, "id"),
                                        member(d, "to", "-"),
                                        member(d, "state"),
                                        member(d, "attempts", "0"),
                                        member(d, "provider", "-"),
                                        clip(detail.empty() ? "-" : detail, 100)};
        if (users) row.insert(row.begin() + 1, member(d, "user_id", "-"));
        deliveries.add(std::move(row));
    }
    out << "\n";
    if (all.empty() && fanout.is_object()) {
        std::string state = member(fanout, "state");
        out << (state == "pending-approval" ? "no deliveries until it is approved"
                : state == "rejected"       ? "no deliveries: it was rejected"
                : state == "canceled"       ? "no deliveries: it was canceled"
                : state == "done"           ? "no deliveries: its groups have no members"
                                            : "no deliveries yet")
            << "\n";
    } else {
        deliveries.print(out);
        if (auto total = n.find("deliveries_total"); total != n.end() && total->is_number())
            out << "(the first " << all.size() << " of " << total->get<long>()
                << " deliveries; the states line counts them all)\n";
    }

    if (!verbose) return;
    Table events({"AT", "DELIVERY", "EVENT", "DETAIL"});
    for (const auto& e : n.value("events", nlohmann::json::array()))
        events.add({member(e, "at"), member(e, "delivery_id"), member(e, "type"),
                    clip(member(e, "detail", "-"), 120)});
    out << "\n";
    events.print(out);
}

// The states of a send that may have no deliveries yet.
bool is_fanout_status(const std::string& text) {
    return text == "pending-approval" || text == "expanding" || text == "rejected";
}

// The notification of a delivery id ("<notification-id>.<n>"); any other id
// as it is.
std::string notification_of(const std::string& id) {
    auto dot = id.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == id.size()) return id;
    for (size_t i = dot + 1; i < id.size(); ++i)
        if (id[i] < '0' || id[i] > '9') return id;
    return id.substr(0, dot);
}

struct ListOptions {
    std::string status, channel, priority, since, until, module, group, user, template_name, text,
        schedule, cursor;
    int limit = 0;
};

}  // namespace

Runner setup_status(CLI::App& cmd, Context& ctx) {
    auto id = std::make_shared<std::string>();
    cmd.add_option("ID", *id, "the notification id that send printed, or a delivery id")
        ->required();
    cmd.footer(
        "Shows the notification, then one row per delivery (the detail is the provider's\n"
        "message id when sent, else the last error); -v adds the activity log. A delivery\n"
        "id (ID.N) shows the notification it belongs to.\n\n"
        "Example:\n"
        "  notifyctl status -v 01JD8X3T6Q4M9V2K7C5B0RZP1A");
    return [id, &ctx]() -> int {
        Api api(ctx);
        if (int rc = api.open()) return rc;
        nlohmann::json n;
        Request req{"GET", "/v1/notifications/" + path_segment(notification_of(*id)), {}, nullptr};
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
                   "only notifications with a delivery in this state (queued, failed, ...), "
                   "or sends that are pending-approval, expanding, rejected or canceled");
    cmd.add_option("--channel", o->channel, "only this channel");
    cmd.add_option("--priority", o->priority, "only this priority: high, medium or low");
    cmd.add_option("--since", o->since,
                   "created at or after: RFC 3339, now-1h, 'YYYY-MM-DD HH:MM'");
    cmd.add_option("--until", o->until, "created before this time");
    cmd.add_option("--module", o->module, "only this module");
    cmd.add_option("--group", o->group, "only sends to group:NAME");
    cmd.add_option("--user", o->user, "only those with a delivery to this directory user");
    cmd.add_option("--template", o->template_name, "only those made from this template");
    cmd.add_option("--text", o->text, "only those whose subject or body contains this text");
    cmd.add_option("--schedule", o->schedule, "only those this schedule made");
    cmd.add_option("--limit", o->limit, "at most this many (the server's default: 50)")
        ->check(CLI::Range(1, 1000));
    cmd.add_option("--cursor", o->cursor, "the next page: the cursor the previous page printed");
    cmd.footer(
        "Examples:\n"
        "  notifyctl ls --status failed --since now-24h --channel sms\n"
        "  notifyctl ls --status pending-approval\n"
        "  notifyctl ls --schedule weekly-report --since now-30d");
    return [o, &ctx]() -> int {
        Request req{"GET", "/v1/notifications", {}, nullptr};
        if (!o->status.empty()) {
            if (!is_fanout_status(o->status) && !state_arg(o->status, "--status")) {
                auto names = delivery_state_names();
                names.insert(names.end(), {"pending-approval", "expanding", "rejected"});
                return fail(ctx, exit_usage,
                            "--status: unknown state '" + o->status + "'" +
                                util::did_you_mean(o->status, names) + " (one of " +
                                util::join(names, ", ") + ")");
            }
            req.query["status"] = o->status;
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
        if (!o->group.empty()) req.query["group"] = o->group;
        if (!o->user.empty()) req.query["user"] = o->user;
        if (!o->template_name.empty()) req.query["template"] = o->template_name;
        if (!o->text.empty()) req.query["text"] = o->text;
        if (!o->schedule.empty()) req.query["schedule"] = o->schedule;
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
                           member(n, "priority"), states_cell(n),
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
