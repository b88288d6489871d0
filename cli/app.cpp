// app.cpp - notifyctl's command line: the global options, the command table,
// parsing, and turning parse failures into one-line errors with exit 64.
//
// Global options (--config, --json, -q, -v, --timeout) may stand before or
// after the command name: subcommands pass what they do not know to the top.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "directory_cmd.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

// CLI11 speaks in capitalised sentences; the house style is lowercase.
std::string lower_first(std::string text) {
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' &&
        (text.size() < 2 || !(text[1] >= 'A' && text[1] <= 'Z')))
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
    return text;
}

std::vector<std::string> names_of(CLI::App& group) {
    std::vector<std::string> out;
    for (const CLI::App* sub : group.get_subcommands([](CLI::App*) { return true; }))
        out.push_back(sub->get_name());
    return out;
}

// The innermost command that was given on the command line, or nullptr.
CLI::App* innermost(CLI::App& app) {
    CLI::App* at = nullptr;
    for (CLI::App* cur = &app;;) {
        auto given = cur->get_subcommands();
        if (given.empty()) return at;
        at = cur = given.front();
    }
}

// "unknown command 'sned', did you mean 'send'?" for a word where a command
// name should be; otherwise CLI11's own message.
int parse_failure(Context& ctx, CLI::App& app, const CLI::ParseError& e) {
    CLI::App* at = innermost(app);
    std::string where = at ? std::string(at->get_name()) + ": " : "";
    if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
        CLI::App& group = at ? *at : app;
        auto extras = app.remaining(true);
        bool expects_command = !group.get_subcommands([](CLI::App*) { return true; }).empty() &&
                               group.get_subcommands().empty();
        if (expects_command && !extras.empty() && !util::starts_with(extras.front(), "-")) {
            std::string what = at ? std::string(at->get_name()) + " command" : "command";
            return fail(ctx, exit_usage,
                        "unknown " + what + " '" + extras.front() + "'" +
                            util::did_you_mean(extras.front(), names_of(group)) +
                            " (see 'notifyctl " + (at ? at->get_name() + " " : "") + "--help')");
        }
    }
    return fail(ctx, exit_usage, where + lower_first(e.what()));
}

// The command the arguments name: the first word that is neither an option
// nor the value of a global option that takes one (the top level has no
// positionals, so CLI11 reads the same word as the command). Empty when none.
std::string_view named_command(const CLI::App& app, const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (word == "--") return {};
        if (word.empty() || word[0] != '-') return word;
        const CLI::Option* global = app.get_option_no_throw(word);
        if (global && global->get_expected_max() > 0) ++i;  // its value
    }
    return {};
}

}  // namespace

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"send", "hand a notification to notify-ingest", setup_send},
        {"status", "show one notification and its deliveries", setup_status},
        {"ls", "list notifications, newest first", setup_ls},
        {"queue", "show what waits to be delivered, by priority, channel and state", setup_queue},
        {"resend", "send a notification's failed deliveries again", setup_resend},
        {"cancel", "cancel a notification's deliveries that are not sent yet", setup_cancel},
        {"approve", "let a send held for approval go out", setup_approve},
        {"reject", "refuse a send held for approval, with a reason", setup_reject},
        {"apikey", "create, list and revoke API keys (works on the store directly)", setup_apikey},
        {"audit", "who approved, rejected or changed what, and when (reads the store)",
         setup_audit},
        {"report", "counts, peaks, sizes, latency and failures over time (reads the store)",
         setup_report},
        {"schedule", "recurring sends: add, list, pause and remove schedules; preview cron",
         setup_schedule},
        {"calendar", "the company calendar: working days, holidays and working hours",
         setup_calendar},
        {"config", "check the configuration or show every setting and its origin", setup_config},
        {"template", "preview templates: render a stored one or a local file", setup_template},
        {"user", "the user directory: add, change, list, import and export users", setup_user},
        {"group", "groups of users that a send reaches as group:NAME", setup_group},
        {"vapid", "make the key pair a Web Push provider signs with", setup_vapid},
        {"keys", "make the CURVE key pairs that encrypt the router's link to its workers",
         setup_keys},
        {"store", "migrate the store's schema, or copy it to another store (SQLite, MySQL)",
         setup_store},
        {"cluster", "the state of every ingest, router, worker and replica (reads the store)",
         setup_cluster},
        {"inbox", "tokens for users' own in-app inboxes", setup_inbox},
        {"otp", "send and verify one-time codes", setup_otp},
        {"up", "run the whole stack in the foreground, for a laptop or a demo", setup_up},
    };
    return table;
}

Runner dispatch(CLI::App& group, Context& ctx, std::vector<std::pair<CLI::App*, Runner>> subs) {
    return [&group, &ctx, subs = std::move(subs)]() -> int {
        for (const auto& [app, runner] : subs)
            if (app->parsed()) return runner();
        return fail(ctx, exit_usage,
                    group.get_name() + ": missing command: " + util::join(names_of(group), ", ") +
                        " (see 'notifyctl " + group.get_name() + " --help')");
    };
}

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err) {
    Context ctx{Globals{}, in, out, err};
    CLI::App app{"notifyctl: hand notifications to notify and follow them to the end.",
                 "notifyctl"};
    app.set_version_flag("--version", std::string("notifyctl ") + NOTIFY_VERSION);
    app.fallthrough();
    app.require_subcommand(0, 1);
    std::string timeout_text = "10s";
    app.add_option("--config", ctx.globals.config_path,
                   "configuration file (default: $NOTIFY_CONFIG, ./notify.toml, "
                   "/etc/notify/notify.toml)");
    app.add_flag("--json", ctx.globals.json, "print JSON (JSON Lines for lists) instead of text");
    app.add_flag("-q,--quiet", ctx.globals.quiet, "print only what was asked for, no hints");
    app.add_flag("-v,--verbose", ctx.globals.verbose, "say more (status: the activity log)");
    app.add_option("--timeout", timeout_text, "how long to wait for notify-ingest to answer")
        ->capture_default_str();
    app.get_option("--quiet")->excludes(app.get_option("--verbose"));
    app.footer(
        "Examples:\n"
        "  notifyctl send --channel email --to ops@example.com --subject 'disk full' 'sda1 at "
        "97%'\n"
        "  notifyctl status 01JD8X3T6Q4M9V2K7C5B0RZP1A\n"
        "  notifyctl queue\n\n"
        "Run 'notifyctl COMMAND --help' for a command's options; see notifyctl(1).");

    // Every command is listed, but only the one named gets its options and
    // subcommands: building all of them would cost each call more than the
    // command itself when it is a short one.
    const std::string_view named = named_command(app, args);
    std::vector<std::pair<CLI::App*, Runner>> runners;
    for (const Command& c : commands()) {
        CLI::App* sub = app.add_subcommand(c.name, c.help);
        if (named == c.name) runners.emplace_back(sub, c.setup(*sub, ctx));
        sub->footer(sub->get_footer() +
                    "\n\nGlobal options (before or after the command): --config FILE, --json, "
                    "-q, -v, --timeout DUR.");
    }

    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e, out, err);
    } catch (const CLI::ParseError& e) {
        return parse_failure(ctx, app, e);
    }
    ctx.globals.config_given = app.count("--config") > 0;

    auto timeout = util::parse_duration(timeout_text);
    if (!timeout || *timeout <= 0)
        return fail(ctx, exit_usage,
                    "--timeout: '" + timeout_text + "' is not a duration like '10s' or '500ms'");
    ctx.globals.timeout = *timeout;

    for (const auto& [sub, runner] : runners) {
        if (!sub->parsed()) continue;
        try {
            return runner();
        } catch (const nlohmann::json::exception& e) {
            // A reply that is JSON but not the shape the API promises.
            return fail(ctx, exit_software,
                        sub->get_name() + ": unexpected reply from notify-ingest: " + e.what());
        }
    }
    out << app.help();
    return exit_usage;
}

int fail(Context& ctx, int code, const std::string& message) {
    ctx.err << "notifyctl: error: " << message << "\n";
    return code;
}

std::string error_text(const Error& error) {
    if (!error.field.empty() && error.message.find(error.field) == std::string::npos)
        return error.field + ": " + error.message;
    return error.message;
}

int fail(Context& ctx, const Error& error) {
    return fail(ctx, exit_code(error.kind), error_text(error));
}

void warn(Context& ctx, const std::string& message) {
    if (!ctx.globals.quiet) ctx.err << "notifyctl: warning: " << message << "\n";
}

Expected<Config> load(const Context& ctx) {
    return load_config(ctx.globals.config_path, ctx.globals.config_given);
}

}  // namespace notify::cli
