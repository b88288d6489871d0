// schedule_manage.cpp - `notifyctl schedule add|ls|show|pause|resume|history|rm`:
// the schedules notify-priority-router keeps, over notify-ingest's API
// (/v1/schedules). A schedule
// sends a notification, made of the options `notifyctl send` takes
// (send_options.hpp), at each of its firings: by a cron expression in a zone,
// every period, or once at a time, none after --until (schedule/spec.hpp).
//
// `add` checks the name, when it fires and the misfire policy here, so that a
// mistake exits 65 naming the flag before anything is sent; it sends them as
// written, for the daemon to read the same way. Every answer about one
// schedule is its view
//   {"name","describe","cron"|"every"|"at","timezone","until","misfire",
//    "paused","next_at","last_at","created_at","updated_at","notification"}
// with times in RFC 3339 at the offset of the schedule's zone. --json prints a
// view as it is, and a list one object a line.
#include <CLI/CLI.hpp>

#include <memory>

#include "client.hpp"
#include "output.hpp"
#include "schedule/misfire.hpp"
#include "schedule/spec.hpp"
#include "schedule/zone.hpp"
#include "schedule_manage.hpp"
#include "send_options.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

using nlohmann::json;

struct AddArgs {
    std::string name;
    schedule::SpecText when;
    std::string misfire;
    bool paused = false;
    bool replace = false;
    SendOptions send;
};

struct HistoryArgs {
    std::string name;
    int limit = 20;
};

std::string path_of(const std::string& name) {
    return "/v1/schedules/" + path_segment(name);
}

std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : s;
}

// The names the API takes: 1 to 64 of A-Z a-z 0-9 . _ -, beginning with a
// letter or a digit.
// "paused", "ended" (nothing left to fire) or "active".
std::string state_of(const json& view) {
    if (view.value("paused", false)) return "paused";
    return member(view, "next_at").empty() ? "ended" : "active";
}

// "next: TIME", "next: none" or "paused".
std::string next_text(const json& view) {
    if (view.value("paused", false)) return "paused";
    return "next: " + member(view, "next_at", "none");
}

void print_view(std::ostream& out, const json& view) {
    auto field = [&](const char* label, const std::string& value) {
        if (!value.empty()) out << label << value << "\n";
    };
    const json n = view.value("notification", json::object());
    std::vector<std::string> to;
    for (const auto& t : n.value("to", json::array())) to.push_back(cell(t));
    field("name:      ", member(view, "name"));
    field("when:      ", member(view, "describe"));
    field("timezone:  ", member(view, "timezone"));
    field("misfire:   ", member(view, "misfire"));
    field("state:     ", state_of(view));
    field("until:     ", member(view, "until"));
    field("next:      ", member(view, "next_at", "none"));
    field("last:      ", member(view, "last_at", "never"));
    field("created:   ", member(view, "created_at"));
    field("updated:   ", member(view, "updated_at"));
    field("channel:   ", member(n, "channel"));
    field("to:        ", clip(util::join(to, ", "), 200));
    field("template:  ", member(n, "template"));
    field("subject:   ", clip(member(n, "subject"), 200));
    field("priority:  ", member(n, "priority", "medium"));
    field("category:  ", member(n, "category"));
    const json firings = view.value("next_firings", json::array());
    if (firings.empty()) {
        out << "next firings: none\n";
        return;
    }
    out << "next firings:\n";
    for (const auto& t : firings) out << "  " << cell(t) << "\n";
}

int run_add(Context& ctx, const AddArgs& a) {
    if (auto st = schedule::check_schedule_name(a.name, "NAME"); !st) return fail(ctx, st.error());
    const Millis now = util::now_ms();
    if (auto spec = schedule::parse_spec(a.when, now, now, schedule::spec_flag_names()); !spec)
        return fail(ctx, spec.error());
    if (!a.misfire.empty())
        if (auto m = schedule::parse_misfire(a.misfire); !m)
            return fail_flag(ctx, m.error(), "--misfire");
    auto notification = build_body(a.send, ctx.in, "schedule add");
    if (!notification) return fail(ctx, notification.error());

    json body = {{"name", a.name}, {"notification", std::move(*notification)}};
    for (auto [text, key] : {std::pair{&a.when.cron, "cron"}, std::pair{&a.when.every, "every"},
                             std::pair{&a.when.at, "at"}, std::pair{&a.when.tz, "timezone"},
                             std::pair{&a.when.until, "until"}, std::pair{&a.misfire, "misfire"}})
        if (!text->empty()) body[key] = *text;
    // Wall times were read in this zone here: the service reads them the same.
    if (a.when.tz.empty()) body["timezone"] = schedule::Zone::local().name();
    if (a.paused) body["paused"] = true;
    // --replace puts the schedule whether or not it exists; without it, one
    // of the same name is refused (409 schedule_exists).
    Request req = a.replace ? Request{"PUT", path_of(a.name), {}, std::move(body)}
                            : Request{"POST", "/v1/schedules", {}, std::move(body)};
    Api api(ctx);
    if (int rc = api.open()) return rc;
    json view;
    if (int rc =
            api.call(req, "schedule add", view, "schedule_exists", "use --replace to change it"))
        return rc;
    if (ctx.globals.json)
        print_json(ctx.out, view);
    else
        ctx.out << member(view, "name", a.name) << "\n" << next_text(view) << "\n";
    return exit_ok;
}

int run_ls(Context& ctx) {
    Api api(ctx);
    if (int rc = api.open()) return rc;
    // Every page (a thousand schedules each), in name order.
    json list = json::array();
    for (std::string after;;) {
        json reply;
        Request page{"GET", "/v1/schedules", {}, nullptr};
        if (!after.empty()) page.query["after"] = after;
        if (int rc = api.call(page, "schedule ls", reply)) return rc;
        for (auto& view : reply.value("schedules", json::array())) {
            if (ctx.globals.json)
                print_json(ctx.out, view);
            else
                list.push_back(std::move(view));
        }
        const auto next = reply.find("next");
        if (next == reply.end() || !next->is_string() || next->get<std::string>() <= after) break;
        after = next->get<std::string>();
    }
    if (ctx.globals.json) return exit_ok;
    if (list.empty()) {
        ctx.out << "no schedules (add one with 'notifyctl schedule add')\n";
        return exit_ok;
    }
    Table table({"NAME", "WHEN", "STATE", "NEXT", "LAST", "CHANNEL"});
    for (const auto& view : list)
        table.add({member(view, "name"), member(view, "describe"), state_of(view),
                   member(view, "next_at", "-"), member(view, "last_at", "-"),
                   member(view.value("notification", json::object()), "channel", "-")});
    table.print(ctx.out);
    return exit_ok;
}

int run_show(Context& ctx, const std::string& name) {
    Api api(ctx);
    if (int rc = api.open()) return rc;
    json view;
    if (int rc = api.call(Request{"GET", path_of(name), {}, nullptr},
                          "schedule show '" + name + "'", view))
        return rc;
    if (ctx.globals.json)
        print_json(ctx.out, view);
    else
        print_view(ctx.out, view);
    return exit_ok;
}

// pause or resume.
int run_switch(Context& ctx, const std::string& name, const std::string& verb) {
    Api api(ctx);
    if (int rc = api.open()) return rc;
    json view;
    if (int rc = api.call(Request{"POST", path_of(name) + "/" + verb, {}, nullptr},
                          "schedule " + verb + " '" + name + "'", view))
        return rc;
    if (ctx.globals.json)
        print_json(ctx.out, view);
    else if (!ctx.globals.quiet && verb == "pause")
        ctx.out << member(view, "name", name) << " paused\n";
    else if (!ctx.globals.quiet)
        ctx.out << member(view, "name", name)
                << " resumed, next: " << member(view, "next_at", "none") << "\n";
    return exit_ok;
}

int run_history(Context& ctx, const HistoryArgs& a) {
    Api api(ctx);
    if (int rc = api.open()) return rc;
    json reply;
    Request req{"GET", path_of(a.name) + "/history", {{"limit", std::to_string(a.limit)}}, nullptr};
    if (int rc = api.call(req, "schedule history '" + a.name + "'", reply)) return rc;
    const json list = reply.value("history", json::array());
    if (ctx.globals.json) {
        for (const auto& h : list) print_json(ctx.out, h);
        return exit_ok;
    }
    if (list.empty()) {
        ctx.out << "no firings of " << a.name << " handled yet\n";
        return exit_ok;
    }
    Table table({"AT", "OUTCOME", "FIRINGS", "NOTIFICATION", "DETAIL"});
    for (const auto& h : list)
        table.add({member(h, "at"), member(h, "outcome"), member(h, "firings", "1"),
                   or_dash(member(h, "notification_id")), clip(or_dash(member(h, "detail")), 100)});
    table.print(ctx.out);
    return exit_ok;
}

int run_rm(Context& ctx, const std::string& name) {
    Api api(ctx);
    if (int rc = api.open()) return rc;
    json reply;
    if (int rc = api.call(Request{"DELETE", path_of(name), {}, nullptr},
                          "schedule rm '" + name + "'", reply))
        return rc;
    if (ctx.globals.json)
        print_json(ctx.out, reply);
    else if (!ctx.globals.quiet)
        ctx.out << "removed schedule " << member(reply, "name", name) << "\n";
    return exit_ok;
}

// A subcommand that takes only the schedule's name, into `name`.
CLI::App* add_named(CLI::App& cmd, const char* command, const char* help, std::string& name,
                    const char* example) {
    CLI::App* sub = cmd.add_subcommand(command, help);
    sub->add_option("NAME", name, "the schedule's name")->required();
    sub->footer(std::string("Example:\n  ") + example);
    return sub;
}

}  // namespace

void setup_schedule_manage(CLI::App& cmd, Context& ctx,
                           std::vector<std::pair<CLI::App*, Runner>>& subs) {
    auto add = std::make_shared<AddArgs>();
    auto* a = cmd.add_subcommand(
        "add", "add a schedule: a send made by a cron expression, every period, or once");
    a->add_option("NAME", add->name,
                  "the schedule's name: up to 64 letters, digits, '.', '_' and '-'")
        ->required();
    a->add_option("--cron", add->when.cron,
                  "fire by a cron expression in --tz, as '0 9 * * MON-FRI' or @daily "
                  "(see 'schedule preview')");
    a->add_option("--every", add->when.every,
                  "fire every DURATION from now, as 15m or 1d (at least 1s), whatever the "
                  "wall clock does");
    a->add_option("--at", add->when.at,
                  "fire once at TIME: RFC 3339, now+1h, or 'YYYY-MM-DD HH:MM' in --tz");
    a->add_option("--tz", add->when.tz,
                  "the IANA zone of --cron, --at and --until (default: the local zone)");
    a->add_option("--until", add->when.until, "fire no more after TIME (the forms of --at)");
    a->add_option("--misfire", add->misfire,
                  "firings missed while notify could not fire them: once (one notification for "
                  "them all, the default), all, or skip");
    a->add_flag("--paused", add->paused,
                "add it paused: nothing fires until 'notifyctl schedule resume NAME'");
    a->add_flag("--replace", add->replace,
                "replace the schedule of that name, if there is one (its history stays)");
    auto* body = add_send_options(
        *a, add->send, "do not deliver after this long, as 2h or 30m, counted from each firing");
    a->footer(
        "Each firing sends what 'notifyctl send' would with the options from --channel on;\n"
        "'notifyctl ls --schedule NAME' lists what it sent.\n\n"
        "Examples:\n"
        "  notifyctl schedule add weekly-report --cron '0 9 * * MON' --tz Asia/Shanghai \\\n"
        "      --channel email --to group:managers --template weekly-report\n"
        "  notifyctl schedule add heartbeat --every 15m --misfire skip --channel sms \\\n"
        "      --to +8613800138000 --expires-in 10m 'still alive'");
    subs.emplace_back(a, [&ctx, add, body] {
        add->send.has_body = body->count() > 0;
        return run_add(ctx, *add);
    });

    auto* l = cmd.add_subcommand("ls", "list schedules: when each fires, its state, next and last");
    l->footer(
        "Examples:\n"
        "  notifyctl schedule ls\n"
        "  notifyctl schedule ls --json | jq -r 'select(.paused) | .name'");
    subs.emplace_back(l, [&ctx] { return run_ls(ctx); });

    auto show = std::make_shared<std::string>();
    subs.emplace_back(add_named(cmd, "show", "print a schedule, its notification and next firings",
                                *show, "notifyctl schedule show weekly-report"),
                      [&ctx, show] { return run_show(ctx, *show); });

    auto pause = std::make_shared<std::string>();
    subs.emplace_back(add_named(cmd, "pause", "stop a schedule firing until it is resumed", *pause,
                                "notifyctl schedule pause weekly-report"),
                      [&ctx, pause] { return run_switch(ctx, *pause, "pause"); });

    auto resume = std::make_shared<std::string>();
    subs.emplace_back(add_named(cmd, "resume", "let a paused schedule fire again", *resume,
                                "notifyctl schedule resume weekly-report"),
                      [&ctx, resume] { return run_switch(ctx, *resume, "resume"); });

    auto hist = std::make_shared<HistoryArgs>();
    auto* h = cmd.add_subcommand(
        "history", "the firings a schedule handled, newest first, and what each made");
    h->add_option("NAME", hist->name, "the schedule's name")->required();
    h->add_option("--limit", hist->limit, "at most this many (default 20)")
        ->check(CLI::Range(1, 1000));
    h->footer(
        "OUTCOME is made (NOTIFICATION is what it sent), missed, refused or expired; DETAIL\n"
        "says why, and FIRINGS how many firings a row stands for.\n\n"
        "Examples:\n"
        "  notifyctl schedule history weekly-report --limit 5\n"
        "  notifyctl ls --schedule weekly-report");
    subs.emplace_back(h, [&ctx, hist] { return run_history(ctx, *hist); });

    auto rm = std::make_shared<std::string>();
    subs.emplace_back(add_named(cmd, "rm", "remove a schedule: it fires no more", *rm,
                                "notifyctl schedule rm weekly-report"),
                      [&ctx, rm] { return run_rm(ctx, *rm); });
}

}  // namespace notify::cli
