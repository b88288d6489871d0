// apikey.cpp - `notifyctl apikey create|ls|revoke`: API keys for the HTTP/JSON
// API. Like postsuper on the queue files, these work on the store directly
// (store.path), so they need no daemon and the rights to the store file.
#include <CLI/CLI.hpp>

#include <memory>

#include "command.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

std::string time_or_dash(Millis t) {
    return t ? util::format_rfc3339(t) : "-";
}

struct CreateOptions {
    std::string scope;
    std::string name;
};

}  // namespace

Runner setup_apikey(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    cmd.footer(
        "Examples:\n"
        "  notifyctl apikey create --scope send --name billing-app\n"
        "  notifyctl apikey ls\n"
        "  notifyctl apikey revoke billing-app");

    auto* create = cmd.add_subcommand("create", "create a key and print it once");
    auto c = std::make_shared<CreateOptions>();
    create->add_option("--scope", c->scope, "send, read or admin")->required();
    create->add_option("--name", c->name, "a name to find and revoke it by (default: its id)");
    create->footer("Example:\n  notifyctl apikey create --scope send --name billing-app");

    auto* ls = cmd.add_subcommand("ls", "list keys (never their secrets)");
    ls->footer("Example:\n  notifyctl apikey ls --json");

    auto* revoke = cmd.add_subcommand("revoke", "revoke a key by id or name");
    auto target = std::make_shared<std::string>();
    revoke->add_option("ID", *target, "the key's id or name")->required();
    revoke->footer("Example:\n  notifyctl apikey revoke billing-app");

    Runner run_create = [&ctx, c]() -> int {
        auto s = open_store(ctx, true);
        if (!s) return fail(ctx, s.error());
        auto key = (*s)->create_api_key(c->name, c->scope);
        if (!key) return fail(ctx, key.error());
        // "nk_<id>_<secret>"
        std::string id = key->substr(3, key->find('_', 3) - 3);
        if (ctx.globals.json) {
            print_json(ctx.out, {{"id", id},
                                 {"name", c->name.empty() ? id : c->name},
                                 {"scope", c->scope},
                                 {"key", *key}});
        } else {
            ctx.out << *key << "\n";
        }
        warn(ctx,
             "this key is shown only once: store it now (revoke with 'notifyctl apikey "
             "revoke " +
                 id + "')");
        return exit_ok;
    };
    Runner run_ls = [&ctx]() -> int {
        auto s = open_store(ctx, false);
        if (!s) return fail(ctx, s.error());
        auto keys = *s ? (*s)->list_api_keys() : std::vector<store::ApiKey>{};
        if (ctx.globals.json) {
            for (const auto& k : keys) {
                nlohmann::json j = {{"id", k.id},
                                    {"name", k.name},
                                    {"scope", k.scope},
                                    {"created_at", util::format_rfc3339(k.created_at)},
                                    {"revoked_at", nullptr}};
                if (k.revoked_at) j["revoked_at"] = util::format_rfc3339(k.revoked_at);
                print_json(ctx.out, j);
            }
            return exit_ok;
        }
        if (keys.empty()) {
            ctx.out << "no API keys (create one with 'notifyctl apikey create --scope send')\n";
            return exit_ok;
        }
        Table table({"ID", "NAME", "SCOPE", "CREATED", "REVOKED"});
        for (const auto& k : keys)
            table.add(
                {k.id, k.name, k.scope, time_or_dash(k.created_at), time_or_dash(k.revoked_at)});
        table.print(ctx.out);
        return exit_ok;
    };
    Runner run_revoke = [&ctx, target]() -> int {
        auto s = open_store(ctx, false);
        if (!s) return fail(ctx, s.error());
        auto st = *s ? (*s)->revoke_api_key(*target)
                     : Status(make_error(ErrorKind::not_found, "not_found",
                                         "no active API key '" + *target + "'"));
        if (!st) return fail(ctx, st.error());
        if (ctx.globals.json)
            print_json(ctx.out, {{"revoked", *target}});
        else if (!ctx.globals.quiet)
            ctx.out << "revoked API key '" << *target << "'\n";
        return exit_ok;
    };
    return dispatch(cmd, ctx, {{create, run_create}, {ls, run_ls}, {revoke, run_revoke}});
}

}  // namespace notify::cli
