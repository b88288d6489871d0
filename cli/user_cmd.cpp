// user_cmd.cpp - `notifyctl user add|set|show|ls|rm|import|export|pref|
// unsubscribe|resubscribe`: the people notifications go to, worked on in the
// store directly (store.path), so no daemon is needed. A send names them as
// "user:ID"; their identities give the address per channel. This file holds
// the users themselves; import and export: user_transfer_cmd.cpp; preferences
// and unsubscribes: user_pref_cmd.cpp.
#include <CLI/CLI.hpp>

#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "address.hpp"
#include "directory_cmd.hpp"
#include "input.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/audit.hpp"
#include "store/directory_records.hpp"
#include "util/json_parse.hpp"
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
    } catch (const PhoneCheckUnavailable& e) {
        return fail(ctx, exit_software, e.what());
    } catch (const std::exception& e) {
        return fail(ctx, exit_software, std::string("store: ") + e.what());
    } catch (...) {
        // The store's own failures (busy, corrupt) carry no std::exception.
        return fail(ctx, exit_software, "store: the user directory could not be read");
    }
}

Error no_user(const std::string& id) {
    return make_error(ErrorKind::not_found, "not_found", "no user '" + id + "' in the directory");
}

Error no_group(const std::string& name) {
    return make_error(ErrorKind::not_found, "not_found",
                      "no group '" + name + "' in the directory");
}

Status check_group_filter(store::DirectoryStore& d, const std::string& group) {
    if (!group.empty() && !d.get_group(group)) return no_group(group);
    return ok();
}

int with_user_directory(Context& ctx, const std::string& id, bool create,
                        const std::function<int(store::DirectoryStore&)>& body) {
    return with_directory(ctx, create, body, [&] { return fail(ctx, no_user(id)); });
}

void add_id_command(CLI::App& cmd, Subcommands& subs, const char* name, const char* help,
                    std::function<int(const std::string&)> run) {
    auto id = std::make_shared<std::string>();
    auto* sub = cmd.add_subcommand(name, help);
    sub->add_option("id", *id, "the user's id")->required();
    subs.emplace_back(sub, [id, run = std::move(run)] { return run(*id); });
}

namespace {

struct UserArgs {
    std::string id, name, email, phone, locale, tz, quiet_hours, module;
    std::vector<std::string> identities, added, removed, attrs, groups;
    std::vector<std::pair<std::string, CLI::Option*>>
        options;  // flag -> option, to see what was given
    bool given(const std::string& flag) const {
        for (const auto& [option_flag, o] : options)
            if (option_flag == flag) return o->count() > 0;
        return false;
    }
};

// "CH=VALUE" split at the first '='; a usage error naming `flag` otherwise.
Expected<std::pair<std::string, std::string>> key_value(const std::string& arg,
                                                        const std::string& flag,
                                                        const std::string& example) {
    auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
        return make_error(ErrorKind::usage, "usage", flag + " '" + arg + "' must be " + example);
    return std::pair{arg.substr(0, eq), arg.substr(eq + 1)};
}

// The fields of a user the options given set, by their names in the API
// (POST /v1/users), for the audit log.
std::vector<std::string> given_fields(const UserArgs& a) {
    const std::pair<const char*, const char*> scalars[] = {
        {"--name", "name"},     {"--email", "email"}, {"--phone", "phone"},
        {"--locale", "locale"}, {"--tz", "timezone"}, {"--quiet-hours", "quiet_hours"},
        {"--module", "module"}};
    std::vector<std::string> fields;
    for (const auto& [flag, field] : scalars)
        if (a.given(flag)) fields.emplace_back(field);
    if (!a.identities.empty() || !a.added.empty() || !a.removed.empty())
        fields.emplace_back("identities");
    if (!a.attrs.empty()) fields.emplace_back("attributes");
    if (!a.groups.empty()) fields.emplace_back("groups");
    return fields;
}

// Applies the options that were given to `u` (all of them for a new user),
// but --add-identity and --remove-identity (changes()). The --identity options
// of a channel give all its addresses (CH= none). --attr K= removes that
// attribute.
Status apply(const UserArgs& a, store::User& u) {
    const std::pair<const char*, std::pair<const std::string*, std::string*>> scalars[] = {
        {"--name", {&a.name, &u.name}},      {"--email", {&a.email, &u.email}},
        {"--phone", {&a.phone, &u.phone}},   {"--locale", {&a.locale, &u.locale}},
        {"--tz", {&a.tz, &u.timezone}},      {"--quiet-hours", {&a.quiet_hours, &u.quiet_hours}},
        {"--module", {&a.module, &u.module}}};
    for (const auto& [flag, slot] : scalars) {
        if (!a.given(flag)) continue;
        if (auto ok = utf8_arg(*slot.first, flag); !ok) return ok;
        *slot.second = *slot.first;
    }
    std::set<std::string> replaced;
    for (const auto& arg : a.identities) {
        auto kv = key_value(arg, "--identity", "CHANNEL=ADDRESS, as wecom=zhangsan");
        if (!kv) return kv.error();
        auto& addresses = u.identities[kv->first];
        if (replaced.insert(kv->first).second) addresses.clear();
        if (!kv->second.empty()) addresses.push_back(kv->second);
    }
    for (auto it = u.identities.begin(); it != u.identities.end();)
        it = it->second.empty() ? u.identities.erase(it) : std::next(it);
    if (!a.attrs.empty()) {
        json attrs =
            u.attributes_json.empty() ? json::object() : util::json_or_discarded(u.attributes_json);
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
    for (const auto& [channel, addresses] : u.identities)
        for (const auto& address : addresses) ids.push_back(channel + "=" + address);
    ctx.out << "id:          " << u.id << "\n"
            << "name:        " << or_dash(u.name) << "\n"
            << "email:       " << or_dash(u.email) << "\n"
            << "phone:       " << or_dash(u.phone) << "\n"
            << "locale:      " << or_dash(u.locale) << "\n"
            << "timezone:    " << or_dash(u.timezone) << "\n"
            << "quiet hours: " << (u.quiet_hours.empty() ? "- (default)" : u.quiet_hours) << "\n"
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

// --add-identity and --remove-identity as (remove?, channel, address), checked.
struct IdentityChange {
    bool remove = false;
    std::string channel, address;
};

Expected<std::vector<IdentityChange>> identity_changes(const UserArgs& a) {
    std::vector<IdentityChange> out;
    const std::pair<const std::vector<std::string>*, bool> lists[] = {{&a.removed, true},
                                                                      {&a.added, false}};
    for (const auto& [list, remove] : lists)
        for (const auto& arg : *list) {
            auto kv = key_value(arg, remove ? "--remove-identity" : "--add-identity",
                                "CHANNEL=ADDRESS, as ios=<device token>");
            if (!kv) return kv.error();
            if (kv->second.empty())
                return make_error(ErrorKind::usage, "usage",
                                  std::string(remove ? "--remove-identity" : "--add-identity") +
                                      " '" + arg + "' needs an address");
            out.push_back({remove, kv->first, kv->second});
        }
    return out;
}

int run_save(Context& ctx, const UserArgs& a, bool create) {
    auto changes = identity_changes(a);
    if (!changes) return fail(ctx, changes.error());
    return with_user_directory(ctx, a.id, create, [&](store::DirectoryStore& d) {
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
        // One address at a time, as an app's POST /v1/users/{id}/identities does
        // (past the limit the oldest goes).
        for (const auto& c : *changes) {
            if (c.remove) {
                if (auto done = d.remove_identity(a.id, c.channel, c.address); !done)
                    return fail(ctx, done.error());
            } else if (auto done = d.add_identity(a.id, c.channel, c.address); !done) {
                return fail(ctx, done.error());
            }
        }
        auto fields = given_fields(a);
        audit_local(ctx, d.store(), create ? "user.add" : "user.update", a.id,
                    fields.empty() ? std::string() : store::fields_detail(std::move(fields)));
        if (ctx.globals.json)
            print_user(ctx, *d.get_user(a.id));
        else if (!ctx.globals.quiet)
            ctx.out << (create ? "added user " : "updated user ") << a.id << "\n";
        return int(exit_ok);
    });
}

int run_show(Context& ctx, const std::string& id) {
    return with_user_directory(ctx, id, false, [&](store::DirectoryStore& d) {
        auto u = d.get_user(id);
        if (!u) return fail(ctx, no_user(id));
        print_user(ctx, *u);
        return int(exit_ok);
    });
}

struct ListArgs {
    std::string group, module, text;
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
            if (auto known = check_group_filter(d, a.group); !known)
                return fail(ctx, known.error());
            auto users = d.list_users({a.group, a.module, "", a.limit + 1, a.text});
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
    return with_user_directory(ctx, id, false, [&](store::DirectoryStore& d) {
        if (auto ok = d.remove_user(id); !ok) return fail(ctx, ok.error());
        audit_local(ctx, d.store(), "user.remove", id);
        if (ctx.globals.json)
            print_json(ctx.out, {{"removed", id}});
        else if (!ctx.globals.quiet)
            ctx.out << "removed user " << id << "\n";
        return int(exit_ok);
    });
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
    add("--quiet-hours", a.quiet_hours,
        "quiet hours in the user's zone, as 22:00-07:30; off: none; '': preferences.quiet_hours");
    add("--module", a.module, "the business module the user belongs to");
    c->add_option("--identity", a.identities,
                  "CHANNEL=ADDRESS: the channel's addresses, all of them (repeatable; CHANNEL= "
                  "none)")
        ->allow_extra_args(false);
    c->add_option("--add-identity", a.added,
                  "CHANNEL=ADDRESS: one more address on the channel, as a new device's token")
        ->allow_extra_args(false);
    c->add_option("--remove-identity", a.removed,
                  "CHANNEL=ADDRESS: remove that one address from the channel's")
        ->allow_extra_args(false);
    c->add_option("--attr", a.attrs, "KEY=VALUE: an attribute for templates (repeatable)")
        ->allow_extra_args(false);
    c->add_option("--group", a.groups, "join this group, made when missing (repeatable)")
        ->allow_extra_args(false);
}

}  // namespace

Runner setup_user(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    Subcommands subs;

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

    add_id_command(cmd, subs, "show", "print one user",
                   [&ctx](const std::string& id) { return run_show(ctx, id); });

    auto ls = std::make_shared<ListArgs>();
    auto* l = cmd.add_subcommand("ls", "list users by id");
    l->add_option("--group", ls->group, "only the members of this group");
    l->add_option("--module", ls->module, "only the users of this module");
    l->add_option("--text", ls->text, "only users whose id, name, email or phone contains this");
    l->add_option("--limit", ls->limit, "at most this many")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    subs.emplace_back(l, [&ctx, ls] { return run_ls(ctx, *ls); });

    add_id_command(cmd, subs, "rm", "remove a user, its identities, memberships, preferences",
                   [&ctx](const std::string& id) { return run_rm(ctx, id); });

    add_user_transfer_commands(cmd, ctx, subs);
    add_user_preference_commands(cmd, ctx, subs);

    cmd.footer(
        "Examples:\n"
        "  notifyctl user add zhangsan --email zs@example.com --group ops\n"
        "  notifyctl user import staff.csv\n"
        "  notifyctl user ls --group ops\n"
        "  notifyctl send --channel email --to user:zhangsan --subject hi 'hello'");
    return dispatch(cmd, ctx, std::move(subs));
}

}  // namespace notify::cli
