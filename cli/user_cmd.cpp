// user_cmd.cpp - `notifyctl user add|set|show|ls|rm|import|export|pref|
// unsubscribe|resubscribe`: the people notifications go to, worked on in the
// store directly (store.path), so no daemon is needed. A send names them as
// "user:ID"; their identities give the address per channel.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "directory_cmd.hpp"
#include "input.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/directory_records.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

using nlohmann::json;

int with_directory(Context& ctx, bool create,
                   const std::function<int(store::DirectoryStore&)>& body,
                   const std::function<int()>& missing) {
    auto st = open_store(ctx, create);
    if (!st) return fail(ctx, st.error());
    if (!*st) return missing();
    try {
        store::DirectoryStore directory(**st);
        return body(directory);
    } catch (const std::exception& e) {
        return fail(ctx, exit_software, std::string("store: ") + e.what());
    } catch (...) {
        // The store's own failures (busy, corrupt) carry no std::exception.
        return fail(ctx, exit_software, "store: the user directory could not be read");
    }
}

namespace {

struct UserArgs {
    std::string id, name, email, phone, locale, tz, module;
    std::vector<std::string> identities, attrs, groups;
    std::vector<std::pair<std::string, CLI::Option*>>
        options;  // flag -> option, to see what was given
    bool given(const std::string& flag) const {
        for (const auto& [option_flag, o] : options)
            if (option_flag == flag) return o->count() > 0;
        return false;
    }
};

Error no_user(const std::string& id) {
    return make_error(ErrorKind::not_found, "not_found", "no user '" + id + "' in the directory");
}

// "CH=VALUE" split at the first '='; a usage error naming `flag` otherwise.
Expected<std::pair<std::string, std::string>> key_value(const std::string& arg,
                                                        const std::string& flag,
                                                        const std::string& example) {
    auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
        return make_error(ErrorKind::usage, "usage", flag + " '" + arg + "' must be " + example);
    return std::pair{arg.substr(0, eq), arg.substr(eq + 1)};
}

// Applies the options that were given to `u` (all of them for a new user).
// --identity CH= and --attr K= remove that identity or attribute.
Status apply(const UserArgs& a, store::User& u) {
    const std::pair<const char*, std::pair<const std::string*, std::string*>> scalars[] = {
        {"--name", {&a.name, &u.name}},    {"--email", {&a.email, &u.email}},
        {"--phone", {&a.phone, &u.phone}}, {"--locale", {&a.locale, &u.locale}},
        {"--tz", {&a.tz, &u.timezone}},    {"--module", {&a.module, &u.module}}};
    for (const auto& [flag, slot] : scalars) {
        if (!a.given(flag)) continue;
        if (auto ok = utf8_arg(*slot.first, flag); !ok) return ok;
        *slot.second = *slot.first;
    }
    for (const auto& arg : a.identities) {
        auto kv = key_value(arg, "--identity", "CHANNEL=ADDRESS, as wecom=zhangsan");
        if (!kv) return kv.error();
        if (kv->second.empty())
            u.identities.erase(kv->first);
        else
            u.identities[kv->first] = kv->second;
    }
    if (!a.attrs.empty()) {
        json attrs = u.attributes_json.empty() ? json::object()
                                               : json::parse(u.attributes_json, nullptr, false);
        if (!attrs.is_object()) attrs = json::object();
        for (const auto& arg : a.attrs) {
            auto kv = key_value(arg, "--attr", "KEY=VALUE, as plan=pro");
            if (!kv) return kv.error();
            if (auto ok = utf8_arg(arg, "--attr"); !ok) return ok;
            if (kv->second.empty())
                attrs.erase(kv->first);
            else
                attrs[kv->first] = kv->second;
        }
        u.attributes_json = attrs.empty() ? std::string() : attrs.dump();
    }
    u.groups = a.groups;
    return ok();
}

void print_user(Context& ctx, const store::User& u) {
    if (ctx.globals.json) return print_json(ctx.out, store::user_view(u));
    std::vector<std::string> ids;
    for (const auto& [channel, address] : u.identities) ids.push_back(channel + "=" + address);
    ctx.out << "id:          " << u.id << "\n"
            << "name:        " << or_dash(u.name) << "\n"
            << "email:       " << or_dash(u.email) << "\n"
            << "phone:       " << or_dash(u.phone) << "\n"
            << "locale:      " << or_dash(u.locale) << "\n"
            << "timezone:    " << or_dash(u.timezone) << "\n"
            << "module:      " << or_dash(u.module) << "\n"
            << "groups:      " << or_dash(util::join(u.groups, ", ")) << "\n"
            << "identities:  " << or_dash(util::join(ids, ", ")) << "\n"
            << "attributes:  " << or_dash(u.attributes_json) << "\n"
            << "subscribed:  "
            << (u.unsubscribed_at ? "no, unsubscribed " + util::format_rfc3339(u.unsubscribed_at)
                                  : std::string("yes"))
            << "\n"
            << "created:     " << util::format_rfc3339(u.created_at) << "\n"
            << "updated:     " << util::format_rfc3339(u.updated_at) << "\n";
}

int run_save(Context& ctx, const UserArgs& a, bool create) {
    return with_directory(
        ctx, create,
        [&](store::DirectoryStore& d) {
            store::User u;
            if (create) {
                u.id = a.id;
            } else {
                auto found = d.get_user(a.id);
                if (!found) return fail(ctx, no_user(a.id));
                u = std::move(*found);
            }
            if (auto ok = apply(a, u); !ok) return fail(ctx, ok.error());
            store::SaveOptions options{store::Membership::add, create};
            auto saved = d.save_user(u, options);
            if (!saved && saved.error().kind == ErrorKind::conflict)
                return fail(
                    ctx, exit_data,
                    saved.error().message + " (change it with 'notifyctl user set " + a.id + "')");
            if (!saved) return fail(ctx, saved.error());
            if (ctx.globals.json)
                print_user(ctx, *d.get_user(a.id));
            else if (!ctx.globals.quiet)
                ctx.out << (create ? "added user " : "updated user ") << a.id << "\n";
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_user(a.id)); });
}

int run_show(Context& ctx, const std::string& id) {
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            auto u = d.get_user(id);
            if (!u) return fail(ctx, no_user(id));
            print_user(ctx, *u);
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_user(id)); });
}

struct ListArgs {
    std::string group, module;
    int limit = 100;
};

int run_ls(Context& ctx, const ListArgs& a) {
    auto none = [&] {
        if (!ctx.globals.json)
            ctx.out << "no users (add one with 'notifyctl user add ID' or 'notifyctl user import "
                       "FILE')\n";
        return int(exit_ok);
    };
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            if (!a.group.empty() && !d.get_group(a.group))
                return fail(ctx, make_error(ErrorKind::not_found, "not_found",
                                            "no group '" + a.group + "' in the directory"));
            auto users = d.list_users({a.group, a.module, "", a.limit + 1});
            bool more = static_cast<int>(users.size()) > a.limit;
            if (more) users.pop_back();
            if (ctx.globals.json) {
                for (const auto& u : users) print_json(ctx.out, store::user_view(u));
            } else if (users.empty()) {
                return none();
            } else {
                Table table({"ID", "NAME", "EMAIL", "PHONE", "MODULE", "GROUPS"});
                for (const auto& u : users)
                    table.add({u.id, or_dash(clip(u.name, 30)), or_dash(u.email), or_dash(u.phone),
                               or_dash(u.module), or_dash(clip(util::join(u.groups, ","), 40))});
                table.print(ctx.out);
            }
            if (more)
                warn(ctx, "showing the first " + std::to_string(a.limit) +
                              " users; --limit N shows more");
            return int(exit_ok);
        },
        none);
}

int run_rm(Context& ctx, const std::string& id) {
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            if (auto ok = d.remove_user(id); !ok) return fail(ctx, ok.error());
            if (ctx.globals.json)
                print_json(ctx.out, {{"removed", id}});
            else if (!ctx.globals.quiet)
                ctx.out << "removed user " << id << "\n";
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_user(id)); });
}

// --- import and export ----------------------------------------------------------------

Expected<store::RecordFormat> format_of(const std::string& flag, const std::string& file) {
    if (flag == "csv") return store::RecordFormat::csv;
    if (flag == "jsonl") return store::RecordFormat::jsonl;
    std::string lower = util::to_lower(file);
    auto ends = [&](const char* ext) {
        std::string e(ext);
        return lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0;
    };
    if (ends(".csv")) return store::RecordFormat::csv;
    if (ends(".jsonl") || ends(".ndjson") || ends(".json")) return store::RecordFormat::jsonl;
    if (file == "-" || file.empty())
        return make_error(ErrorKind::usage, "usage",
                          "standard input needs --format csv or --format jsonl");
    return make_error(ErrorKind::usage, "usage",
                      "cannot tell the format of '" + file +
                          "' from its name; give --format csv or --format jsonl");
}

struct ImportArgs {
    std::string file, format, group;
    bool skip_bad = false;
};

constexpr size_t kShownErrors = 20;

int run_import(Context& ctx, const ImportArgs& a) {
    auto format = format_of(a.format, a.file);
    if (!format) return fail(ctx, format.error());
    std::string text;
    if (a.file == "-") {
        text = read_all(ctx.in);
    } else {
        std::ifstream in(a.file, std::ios::binary);
        if (!in)
            return fail(ctx, exit_no_input,
                        "user import: cannot read '" + a.file + "': " + std::strerror(errno));
        text = read_all(in);
    }
    store::ImportOptions options;
    options.format = *format;
    options.skip_bad = a.skip_bad;
    options.group = a.group;
    return with_directory(
        ctx, true,
        [&](store::DirectoryStore& d) {
            auto report = d.import_users(std::string_view(text), options);
            if (!report)
                return fail(ctx, exit_code(report.error().kind),
                            "user import: " + report.error().message);
            const auto& errors = report->errors;
            bool failed = !errors.empty() && !a.skip_bad;
            if (ctx.globals.json) {
                json list = json::array();
                for (const auto& e : errors)
                    list.push_back({{"line", e.line}, {"message", e.message}});
                print_json(ctx.out, {{"imported", report->imported},
                                     {"skipped", a.skip_bad ? errors.size() : 0},
                                     {"errors", std::move(list)}});
            }
            for (size_t i = 0; i < errors.size() && i < kShownErrors; ++i) {
                std::string line =
                    "line " + std::to_string(errors[i].line) + ": " + errors[i].message;
                if (failed)
                    fail(ctx, exit_data, line);
                else
                    warn(ctx, line + " (skipped)");
            }
            if (errors.size() > kShownErrors && (failed || !ctx.globals.quiet))
                ctx.err << "notifyctl: " << (failed ? "error" : "warning") << ": ... and "
                        << errors.size() - kShownErrors << " more bad lines\n";
            std::string bad =
                count_of(static_cast<std::int64_t>(errors.size()), "bad line", "bad lines");
            if (failed)
                return fail(
                    ctx, exit_data,
                    "user import: " + bad + " in " +
                        (a.file == "-" ? std::string("standard input") : "'" + a.file + "'") +
                        "; nothing imported (--skip-bad imports the good ones)");
            if (!ctx.globals.json && !ctx.globals.quiet) {
                ctx.out << "imported " << count_of(report->imported, "user", "users");
                if (!errors.empty()) ctx.out << "; skipped " << bad;
                ctx.out << "\n";
            }
            return int(exit_ok);
        },
        [] { return int(exit_software); });
}

struct ExportArgs {
    std::string format, group, module, output;
};

int run_export(Context& ctx, const ExportArgs& a) {
    auto format = a.format.empty() && a.output.empty() ? store::RecordFormat::jsonl
                                                       : format_of(a.format, a.output);
    if (!format) return fail(ctx, format.error());
    auto write = [&](std::ostream& out) {
        return with_directory(
            ctx, false,
            [&](store::DirectoryStore& d) {
                if (!a.group.empty() && !d.get_group(a.group))
                    return fail(ctx, make_error(ErrorKind::not_found, "not_found",
                                                "no group '" + a.group + "' in the directory"));
                auto ok = d.export_users(out, *format, {a.group, a.module, "", 0});
                if (!ok) return fail(ctx, ok.error());
                return int(exit_ok);
            },
            [&] {
                if (*format == store::RecordFormat::csv)
                    store::write_user_records(out, *format, {});
                return int(exit_ok);
            });
    };
    if (a.output.empty() || a.output == "-") return write(ctx.out);
    std::ofstream file(a.output, std::ios::binary | std::ios::trunc);
    if (!file)
        return fail(ctx, exit_software,
                    "user export: cannot write '" + a.output + "': " + std::strerror(errno));
    int rc = write(file);
    file.close();
    if (rc == exit_ok && !file)
        return fail(ctx, exit_software, "user export: cannot write '" + a.output + "'");
    if (rc == exit_ok && !ctx.globals.quiet && !ctx.globals.json)
        ctx.err << "exported to " << a.output << "\n";
    return rc;
}

// --- preferences ----------------------------------------------------------------------

std::string every(const std::string& v, const char* all) {
    return v.empty() ? all : v;
}

int run_pref(Context& ctx, const std::string& id) {
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
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
                    ctx.out << "no preferences: " << id
                            << " gets every category on every channel\n";
                return int(exit_ok);
            }
            Table table({"CATEGORY", "CHANNEL", "CHOICE", "UPDATED"});
            for (const auto& p : prefs)
                table.add({every(p.category, "(every category)"),
                           every(p.channel, "(every channel)"), p.opted_out ? "opt-out" : "opt-in",
                           util::format_rfc3339(p.updated_at)});
            table.print(ctx.out);
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_user(id)); });
}

struct PrefArgs {
    std::string id, category, channel;
    bool opt_out = false, opt_in = false;
};

int run_pref_set(Context& ctx, const PrefArgs& a) {
    if (a.opt_out == a.opt_in)
        return fail(ctx, exit_usage, "user pref set: give --opt-out or --opt-in");
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            store::Preference p{a.id, a.category, a.channel, a.opt_out, 0};
            if (auto ok = d.set_preference(p); !ok) return fail(ctx, ok.error());
            if (ctx.globals.json)
                print_json(ctx.out, {{"user", a.id},
                                     {"category", a.category},
                                     {"channel", a.channel},
                                     {"opted_out", a.opt_out}});
            else if (!ctx.globals.quiet)
                ctx.out << a.id << " opted " << (a.opt_out ? "out of " : "in to ")
                        << (a.category.empty() ? "every category" : "category '" + a.category + "'")
                        << (a.channel.empty() ? " on every channel"
                                              : " on channel '" + a.channel + "'")
                        << "\n";
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_user(a.id)); });
}

int run_subscription(Context& ctx, const std::string& id, bool unsubscribe) {
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            Millis at = unsubscribe ? util::now_ms() : 0;
            if (auto ok = d.set_unsubscribed(id, at); !ok) return fail(ctx, ok.error());
            if (ctx.globals.json)
                print_json(ctx.out, {{"user", id}, {"unsubscribed", unsubscribe}});
            else if (!ctx.globals.quiet)
                ctx.out << (unsubscribe ? "unsubscribed " : "resubscribed ") << id << "\n";
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_user(id)); });
}

void user_options(CLI::App* c, UserArgs& a) {
    auto add = [&](const char* flag, std::string& into, const char* help) {
        a.options.emplace_back(flag, c->add_option(flag, into, help));
    };
    add("--name", a.name, "the name to show");
    add("--email", a.email, "the email address (smtp channels)");
    add("--phone", a.phone, "the phone number in E.164, as +8613800138000 (SMS channels)");
    add("--locale", a.locale, "the locale templates are rendered in, as zh-CN");
    add("--tz", a.tz, "the IANA time zone, as Asia/Shanghai");
    add("--module", a.module, "the business module the user belongs to");
    c->add_option("--identity", a.identities,
                  "CHANNEL=ADDRESS: the address on one channel (repeatable; empty removes)")
        ->allow_extra_args(false);
    c->add_option("--attr", a.attrs, "KEY=VALUE: an attribute for templates (repeatable)")
        ->allow_extra_args(false);
    c->add_option("--group", a.groups, "join this group, made when missing (repeatable)")
        ->allow_extra_args(false);
}

}  // namespace

Runner setup_user(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    std::vector<std::pair<CLI::App*, Runner>> subs;

    auto add = std::make_shared<UserArgs>();
    auto* a = cmd.add_subcommand("add", "add a user to the directory");
    a->add_option("id", add->id, "the user's id: letters, digits, - _ . @")->required();
    user_options(a, *add);
    a->footer(
        "Example:\n  notifyctl user add zhangsan --name 'Zhang San' --email zs@example.com "
        "--phone +8613800138000 --locale zh-CN --identity wecom=ZhangSan --group ops");
    subs.emplace_back(a, [&ctx, add] { return run_save(ctx, *add, true); });

    auto set = std::make_shared<UserArgs>();
    auto* s = cmd.add_subcommand("set", "change what the options give; the rest stays");
    s->add_option("id", set->id, "the user's id")->required();
    user_options(s, *set);
    s->footer("Example:\n  notifyctl user set zhangsan --email zhang@example.com --attr plan=pro");
    subs.emplace_back(s, [&ctx, set] { return run_save(ctx, *set, false); });

    auto show_id = std::make_shared<std::string>();
    auto* sh = cmd.add_subcommand("show", "print one user");
    sh->add_option("id", *show_id, "the user's id")->required();
    subs.emplace_back(sh, [&ctx, show_id] { return run_show(ctx, *show_id); });

    auto ls = std::make_shared<ListArgs>();
    auto* l = cmd.add_subcommand("ls", "list users by id");
    l->add_option("--group", ls->group, "only the members of this group");
    l->add_option("--module", ls->module, "only the users of this module");
    l->add_option("--limit", ls->limit, "at most this many")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    subs.emplace_back(l, [&ctx, ls] { return run_ls(ctx, *ls); });

    auto rm_id = std::make_shared<std::string>();
    auto* r = cmd.add_subcommand("rm", "remove a user, its identities, memberships, preferences");
    r->add_option("id", *rm_id, "the user's id")->required();
    subs.emplace_back(r, [&ctx, rm_id] { return run_rm(ctx, *rm_id); });

    auto imp = std::make_shared<ImportArgs>();
    auto* i = cmd.add_subcommand("import", "add or replace many users from CSV or JSON Lines");
    i->add_option("file", imp->file, "the file, or - for standard input")->required();
    i->add_option("--format", imp->format, "csv or jsonl (default: from the file's name)")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    i->add_flag("--skip-bad", imp->skip_bad, "import the good rows, report the bad ones");
    i->add_option("--group", imp->group, "also add every imported user to this group");
    i->footer(
        "All or nothing: one bad row and nothing is imported (exit 65), unless --skip-bad.\n"
        "Examples:\n  notifyctl user import staff.csv --group staff\n"
        "  hr-export | notifyctl user import - --format jsonl");
    subs.emplace_back(i, [&ctx, imp] { return run_import(ctx, *imp); });

    auto exp = std::make_shared<ExportArgs>();
    auto* e = cmd.add_subcommand("export", "write users in the form import reads");
    e->add_option("--format", exp->format, "csv or jsonl (default: from -o's name, else jsonl)")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    e->add_option("--group", exp->group, "only the members of this group");
    e->add_option("--module", exp->module, "only the users of this module");
    e->add_option("-o,--output", exp->output, "write to FILE instead of standard output");
    e->footer("Example:\n  notifyctl user export --group ops -o ops.csv");
    subs.emplace_back(e, [&ctx, exp] { return run_export(ctx, *exp); });

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
    pset->footer(
        "Example:\n  notifyctl user pref set zhangsan --category marketing --channel sms "
        "--opt-out");
    subs.emplace_back(p, [&ctx, pset, pref_id, ps]() -> int {
        if (pset->parsed()) return run_pref_set(ctx, *ps);
        if (pref_id->empty())
            return fail(ctx, exit_usage, "user pref: give a user id (or 'set ID ...')");
        return run_pref(ctx, *pref_id);
    });

    auto unsub_id = std::make_shared<std::string>();
    auto* u = cmd.add_subcommand("unsubscribe", "stop every non-mandatory send to a user");
    u->add_option("id", *unsub_id, "the user's id")->required();
    subs.emplace_back(u, [&ctx, unsub_id] { return run_subscription(ctx, *unsub_id, true); });
    auto resub_id = std::make_shared<std::string>();
    auto* rs = cmd.add_subcommand("resubscribe", "take a user's unsubscribe back");
    rs->add_option("id", *resub_id, "the user's id")->required();
    subs.emplace_back(rs, [&ctx, resub_id] { return run_subscription(ctx, *resub_id, false); });

    cmd.footer(
        "Examples:\n"
        "  notifyctl user add zhangsan --email zs@example.com --group ops\n"
        "  notifyctl user import staff.csv\n"
        "  notifyctl user ls --group ops\n"
        "  notifyctl send --channel email --to user:zhangsan --subject hi 'hello'");
    return dispatch(cmd, ctx, std::move(subs));
}

}  // namespace notify::cli
