// group_cmd.cpp - `notifyctl group add|set|show|ls|rm|add-member|rm-member`:
// named sets of users that a send reaches as "group:NAME". A group that
// requires approval holds every send to it until an administrator approves.
// Works on the store directly, like `user`.
#include <CLI/CLI.hpp>

#include <memory>
#include <nlohmann/json.hpp>

#include "directory_cmd.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/directory_records.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

using nlohmann::json;

namespace {

constexpr int kShownMembers = 20;

struct GroupArgs {
    std::string name, description;
    bool requires_approval = false, no_approval = false;
    CLI::Option* description_opt = nullptr;
};

int run_save(Context& ctx, const GroupArgs& a, bool create) {
    return with_directory(
        ctx, create,
        [&](store::DirectoryStore& d) {
            auto found = d.get_group(a.name);
            if (create && found)
                return fail(ctx, exit_data,
                            "group '" + a.name +
                                "' already exists (change it with 'notifyctl "
                                "group set " +
                                a.name + "')");
            if (!create && !found) return fail(ctx, no_group(a.name));
            store::Group g = found ? *found : store::Group{a.name, "", false, 0, 0};
            if (a.description_opt->count()) g.description = a.description;
            if (a.requires_approval) g.requires_approval = true;
            if (a.no_approval) g.requires_approval = false;
            if (auto ok = d.put_group(g); !ok) return fail(ctx, ok.error());
            audit_local(ctx, d.store(), create ? "group.add" : "group.update", a.name);
            if (ctx.globals.json)
                print_json(ctx.out, store::group_view(*d.get_group(a.name)));
            else if (!ctx.globals.quiet)
                ctx.out << (create ? "added group " : "updated group ") << a.name << "\n";
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_group(a.name)); });
}

int run_show(Context& ctx, const std::string& name) {
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            auto g = d.get_group(name);
            if (!g) return fail(ctx, no_group(name));
            auto first = d.members(name, "", kShownMembers);
            if (ctx.globals.json) {
                json j = store::group_view(*g);
                j["first_members"] = first;
                print_json(ctx.out, j);
                return int(exit_ok);
            }
            ctx.out << "name:        " << g->name << "\n"
                    << "description: " << or_dash(g->description) << "\n"
                    << "approval:    "
                    << (g->requires_approval ? "required for every send" : "not required") << "\n"
                    << "created:     " << util::format_rfc3339(g->created_at) << "\n"
                    << "members:     " << g->members << "\n";
            for (const auto& id : first) ctx.out << "  " << id << "\n";
            if (g->members > kShownMembers)
                ctx.out << "  ... and " << g->members - kShownMembers
                        << " more (notifyctl user ls --group " << name << ")\n";
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_group(name)); });
}

int run_ls(Context& ctx) {
    auto none = [&] {
        if (!ctx.globals.json) ctx.out << "no groups (add one with 'notifyctl group add NAME')\n";
        return int(exit_ok);
    };
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            auto groups = d.list_groups();
            if (ctx.globals.json) {
                for (const auto& g : groups) print_json(ctx.out, store::group_view(g));
                return int(exit_ok);
            }
            if (groups.empty()) return none();
            Table table({"NAME", "MEMBERS", "APPROVAL", "DESCRIPTION"});
            for (const auto& g : groups)
                table.add({g.name, std::to_string(g.members),
                           g.requires_approval ? "required" : "-",
                           or_dash(clip(g.description, 60))});
            table.print(ctx.out);
            return int(exit_ok);
        },
        none);
}

int run_rm(Context& ctx, const std::string& name) {
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            if (auto ok = d.remove_group(name); !ok) return fail(ctx, ok.error());
            audit_local(ctx, d.store(), "group.remove", name);
            if (ctx.globals.json)
                print_json(ctx.out, {{"removed", name}});
            else if (!ctx.globals.quiet)
                ctx.out << "removed group " << name << " (its users stay)\n";
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_group(name)); });
}

struct MemberArgs {
    std::string group;
    std::vector<std::string> users;
};

int run_members(Context& ctx, const MemberArgs& a, bool add) {
    return with_directory(
        ctx, false,
        [&](store::DirectoryStore& d) {
            auto ok = add ? d.add_members(a.group, a.users) : d.remove_members(a.group, a.users);
            if (!ok) return fail(ctx, ok.error());
            audit_local(ctx, d.store(), add ? "group.members.add" : "group.members.remove", a.group,
                        util::join(a.users, ", "));
            std::int64_t count = d.count_members(a.group);
            if (ctx.globals.json)
                print_json(ctx.out, {{"group", a.group}, {"members", count}});
            else if (!ctx.globals.quiet)
                ctx.out << a.group << " has " << count_of(count, "member", "members") << "\n";
            return int(exit_ok);
        },
        [&] { return fail(ctx, no_group(a.group)); });
}

void group_options(CLI::App* c, GroupArgs& a) {
    a.description_opt = c->add_option("--description", a.description, "what the group is for");
    auto* on = c->add_flag("--requires-approval", a.requires_approval,
                           "hold every send to the group until an administrator approves it");
    auto* off =
        c->add_flag("--no-requires-approval", a.no_approval, "send to the group without approval");
    on->excludes(off);
}

}  // namespace

Runner setup_group(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    std::vector<std::pair<CLI::App*, Runner>> subs;

    auto add = std::make_shared<GroupArgs>();
    auto* a = cmd.add_subcommand("add", "add a group");
    a->add_option("name", add->name, "the group's name: letters, digits, - _ .")->required();
    group_options(a, *add);
    a->footer(
        "Example:\n  notifyctl group add all-staff --description 'everyone' --requires-approval");
    subs.emplace_back(a, [&ctx, add] { return run_save(ctx, *add, true); });

    auto set = std::make_shared<GroupArgs>();
    auto* s = cmd.add_subcommand("set", "change a group's description or approval");
    s->add_option("name", set->name, "the group's name")->required();
    group_options(s, *set);
    subs.emplace_back(s, [&ctx, set] { return run_save(ctx, *set, false); });

    auto show = std::make_shared<std::string>();
    auto* sh = cmd.add_subcommand("show", "print a group, its member count and first members");
    sh->add_option("name", *show, "the group's name")->required();
    subs.emplace_back(sh, [&ctx, show] { return run_show(ctx, *show); });

    auto* l = cmd.add_subcommand("ls", "list groups with their member counts");
    subs.emplace_back(l, [&ctx] { return run_ls(ctx); });

    auto rm = std::make_shared<std::string>();
    auto* r = cmd.add_subcommand("rm", "remove a group and its memberships (users stay)");
    r->add_option("name", *rm, "the group's name")->required();
    subs.emplace_back(r, [&ctx, rm] { return run_rm(ctx, *rm); });

    auto addm = std::make_shared<MemberArgs>();
    auto* am = cmd.add_subcommand("add-member", "add users to a group");
    am->add_option("name", addm->group, "the group's name")->required();
    am->add_option("users", addm->users, "the users' ids")->required();
    am->footer("Example:\n  notifyctl group add-member ops zhangsan lisi");
    subs.emplace_back(am, [&ctx, addm] { return run_members(ctx, *addm, true); });

    auto rmm = std::make_shared<MemberArgs>();
    auto* mm = cmd.add_subcommand("rm-member", "take users out of a group");
    mm->add_option("name", rmm->group, "the group's name")->required();
    mm->add_option("users", rmm->users, "the users' ids")->required();
    subs.emplace_back(mm, [&ctx, rmm] { return run_members(ctx, *rmm, false); });

    cmd.footer(
        "Examples:\n"
        "  notifyctl group add ops --description 'on-call engineers'\n"
        "  notifyctl group add-member ops zhangsan lisi\n"
        "  notifyctl send --channel wecom --to group:ops 'db failover done'");
    return dispatch(cmd, ctx, std::move(subs));
}

}  // namespace notify::cli
