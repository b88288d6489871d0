// user_pref_cmd.cpp - `notifyctl user pref [set]|unsubscribe|resubscribe`: what
// a user wants to receive: opt-outs (and opt-ins again) per category and
// channel, quiet hours (the same field as `user set --quiet-hours`), and the
// global unsubscribe that stops every non-mandatory send.
#include <CLI/CLI.hpp>

#include <memory>

#include "directory_cmd.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/audit.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

std::string every(const std::string& v, const char* all) {
    return v.empty() ? all : v;
}

int run_pref(Context& ctx, const std::string& id) {
    return with_user_directory(ctx, id, false, [&](store::DirectoryStore& d) {
        auto u = d.get_user(id);
        if (!u) return fail(ctx, no_user(id));
        auto prefs = d.preferences(id);
        if (ctx.globals.json) {
            for (const auto& p : prefs)
                print_json(ctx.out, {{"user", id},
                                     {"category", p.category},
                                     {"channel", p.channel},
                                     {"opted_out", p.opted_out},
                                     {"updated_at", util::format_rfc3339(p.updated_at)}});
            return int(exit_ok);
        }
        if (u->unsubscribed_at)
            ctx.out << id << " is unsubscribed from everything since "
                    << util::format_rfc3339(u->unsubscribed_at)
                    << " (mandatory categories still arrive)\n";
        if (prefs.empty()) {
            if (!u->unsubscribed_at)
                ctx.out << "no preferences: " << id << " gets every category on every channel\n";
            return int(exit_ok);
        }
        Table table({"CATEGORY", "CHANNEL", "CHOICE", "UPDATED"});
        for (const auto& p : prefs)
            table.add({every(p.category, "(every category)"), every(p.channel, "(every channel)"),
                       p.opted_out ? "opt-out" : "opt-in", util::format_rfc3339(p.updated_at)});
        table.print(ctx.out);
        return int(exit_ok);
    });
}

struct PrefArgs {
    std::string id, category, channel, quiet;
    bool opt_out = false, opt_in = false, quiet_given = false;
};

// --quiet WINDOW: the user's quiet hours, checked and stored as `user set
// --quiet-hours` stores them.
int set_quiet_hours(Context& ctx, store::DirectoryStore& d, const PrefArgs& a) {
    auto u = d.get_user(a.id);
    if (!u) return fail(ctx, no_user(a.id));
    u->quiet_hours = a.quiet;
    if (auto saved = d.save_user(*u, store::SaveOptions{}); !saved) return fail(ctx, saved.error());
    audit_local(ctx, d.store(), "user.update", a.id, store::fields_detail({"quiet_hours"}));
    const std::string now = d.get_user(a.id)->quiet_hours;
    if (ctx.globals.json)
        print_json(ctx.out, {{"user", a.id}, {"quiet_hours", now}});
    else if (!ctx.globals.quiet)
        ctx.out << a.id << " keeps quiet hours "
                << (now.empty() ? "of preferences.quiet_hours" : now) << "\n";
    return int(exit_ok);
}

int run_pref_set(Context& ctx, const PrefArgs& a) {
    if (a.quiet_given && !a.opt_out && !a.opt_in && a.category.empty() && a.channel.empty())
        return with_user_directory(
            ctx, a.id, false, [&](store::DirectoryStore& d) { return set_quiet_hours(ctx, d, a); });
    if (a.opt_out == a.opt_in)
        return fail(ctx, exit_usage, "user pref set: give --opt-out, --opt-in or --quiet WINDOW");
    if (!a.channel.empty()) {
        auto config = load(ctx);
        if (!config) return fail(ctx, config.error());
        if (auto known = config->check_channel(a.channel, "--channel"); !known)
            return fail(ctx, known.error());
    }
    return with_user_directory(ctx, a.id, false, [&](store::DirectoryStore& d) {
        store::Preference p{a.id, a.category, a.channel, a.opt_out, 0};
        if (auto ok = d.set_preference(p); !ok) return fail(ctx, ok.error());
        audit_local(ctx, d.store(), "user.preferences.put", a.id,
                    std::string(a.opt_out ? "opted out of " : "opted in to ") + "category '" +
                        a.category + "', channel '" + a.channel + "'");
        if (ctx.globals.json)
            print_json(ctx.out, {{"user", a.id},
                                 {"category", a.category},
                                 {"channel", a.channel},
                                 {"opted_out", a.opt_out}});
        else if (!ctx.globals.quiet)
            ctx.out << a.id << " opted " << (a.opt_out ? "out of " : "in to ")
                    << (a.category.empty() ? "every category" : "category '" + a.category + "'")
                    << (a.channel.empty() ? " on every channel" : " on channel '" + a.channel + "'")
                    << "\n";
        return int(exit_ok);
    });
}

int run_subscription(Context& ctx, const std::string& id, bool unsubscribe) {
    return with_user_directory(ctx, id, false, [&](store::DirectoryStore& d) {
        Millis at = unsubscribe ? util::now_ms() : 0;
        if (auto ok = d.set_unsubscribed(id, at); !ok) return fail(ctx, ok.error());
        audit_local(ctx, d.store(), unsubscribe ? "user.unsubscribe" : "user.resubscribe", id);
        if (ctx.globals.json)
            print_json(ctx.out, {{"user", id}, {"unsubscribed", unsubscribe}});
        else if (!ctx.globals.quiet)
            ctx.out << (unsubscribe ? "unsubscribed " : "resubscribed ") << id << "\n";
        return int(exit_ok);
    });
}

}  // namespace

void add_user_preference_commands(CLI::App& cmd, Context& ctx, Subcommands& subs) {
    auto pref_id = std::make_shared<std::string>();
    auto* p = cmd.add_subcommand("pref", "list a user's preferences, or change one with 'set'");
    p->add_option("id", *pref_id, "the user's id");
    auto ps = std::make_shared<PrefArgs>();
    auto* pset = p->add_subcommand("set", "opt a user out of (or in to) a category or channel");
    pset->add_option("id", ps->id, "the user's id")->required();
    pset->add_option("--category", ps->category, "the category (default: every category)");
    pset->add_option("--channel", ps->channel, "the channel (default: every channel)");
    auto* out = pset->add_flag("--opt-out", ps->opt_out, "stop sending these");
    auto* in = pset->add_flag("--opt-in", ps->opt_in, "send these again");
    out->excludes(in);
    auto* quiet = pset->add_option(
        "--quiet", ps->quiet,
        "quiet hours in the user's zone, as 22:00-08:00 (off: none; '': preferences.quiet_hours)");
    quiet->excludes(out)->excludes(in);
    pset->footer(
        "Examples:\n  notifyctl user pref set zhangsan --category marketing --channel sms "
        "--opt-out\n  notifyctl user pref set zhangsan --quiet 22:00-08:00");
    subs.emplace_back(p, [&ctx, pset, pref_id, ps, quiet]() -> int {
        ps->quiet_given = quiet->count() > 0;
        if (pset->parsed()) return run_pref_set(ctx, *ps);
        if (pref_id->empty())
            return fail(ctx, exit_usage, "user pref: give a user id (or 'set ID ...')");
        return run_pref(ctx, *pref_id);
    });

    add_id_command(cmd, subs, "unsubscribe", "stop every non-mandatory send to a user",
                   [&ctx](const std::string& id) { return run_subscription(ctx, id, true); });
    add_id_command(cmd, subs, "resubscribe", "take a user's unsubscribe back",
                   [&ctx](const std::string& id) { return run_subscription(ctx, id, false); });
}

}  // namespace notify::cli
