// apikey.cpp - `notifyctl apikey create|ls|revoke`: API keys for the HTTP/JSON
// API. Like postsuper on the queue files, these work on the store directly
// (store.path), so they need no daemon and the rights to the store file. A key
// may carry its own rate limits (--rate-limit, --recipients-per-day) instead of
// the [api] defaults; creating and revoking a key is in the audit log.
#include <CLI/CLI.hpp>

#include <memory>

#include "command.hpp"
#include "config.hpp"
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
    std::string rate_limit;
    long recipients_per_day = -1;
};

std::string limit_text(const store::ApiKeyLimits& l) {
    std::string rate = l.rate_limit.empty() ? "default" : l.rate_limit;
    std::string per_day =
        l.recipients_per_day < 0 ? "default" : std::to_string(l.recipients_per_day);
    return rate + ", " + per_day + "/day";
}

nlohmann::json limits_json(const store::ApiKeyLimits& l) {
    nlohmann::json j = {{"rate_limit", nullptr}, {"recipients_per_day", nullptr}};
    if (!l.rate_limit.empty()) j["rate_limit"] = l.rate_limit;
    if (l.recipients_per_day >= 0) j["recipients_per_day"] = l.recipients_per_day;
    return j;
}

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
    create->add_option("--rate-limit", c->rate_limit,
                       "its requests per period, like 100/1s, or none (default: api.rate_limit)");
    create
        ->add_option("--recipients-per-day", c->recipients_per_day,
                     "recipients it may send to a day, 0 for no limit (default: "
                     "api.recipients_per_day)")
        ->check(CLI::NonNegativeNumber);
    create->footer(
        "Example:\n  notifyctl apikey create --scope send --name billing-app --rate-limit 20/1s "
        "--recipients-per-day 5000");

    auto* ls = cmd.add_subcommand("ls", "list keys (never their secrets)");
    ls->footer("Example:\n  notifyctl apikey ls --json");

    auto* revoke = cmd.add_subcommand("revoke", "revoke a key by id or name");
    auto target = std::make_shared<std::string>();
    revoke->add_option("ID", *target, "the key's id or name")->required();
    revoke->footer("Example:\n  notifyctl apikey revoke billing-app");

    Runner run_create = [&ctx, c]() -> int {
        if (!c->rate_limit.empty())
            if (auto cap = parse_key_rate_limit(c->rate_limit); !cap)
                return fail(ctx, exit_usage, "--rate-limit: " + cap.error().message);
        store::ApiKeyLimits limits{c->rate_limit, c->recipients_per_day};
        auto s = open_store(ctx, true);
        if (!s) return fail(ctx, s.error());
        auto key = (*s)->create_api_key(c->name, c->scope, limits);
        if (!key) return fail(ctx, key.error());
        // "nk_<id>_<secret>"
        std::string id = key->substr(3, key->find('_', 3) - 3);
        std::string name = c->name.empty() ? id : c->name;
        audit_local(ctx, **s, "apikey.create", name,
                    "id " + id + ", scope " + c->scope + ", limits " + limit_text(limits));
        if (ctx.globals.json) {
            nlohmann::json j = {{"id", id}, {"name", name}, {"scope", c->scope}, {"key", *key}};
            j.update(limits_json(limits));
            print_json(ctx.out, j);
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
                j.update(limits_json(k.limits));
                print_json(ctx.out, j);
            }
            return exit_ok;
        }
        if (keys.empty()) {
            ctx.out << "no API keys (create one with 'notifyctl apikey create --scope send')\n";
            return exit_ok;
        }
        Table table({"ID", "NAME", "SCOPE", "LIMITS", "CREATED", "REVOKED"});
        for (const auto& k : keys)
            table.add({k.id, k.name, k.scope, limit_text(k.limits), time_or_dash(k.created_at),
                       time_or_dash(k.revoked_at)});
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
        audit_local(ctx, **s, "apikey.revoke", *target);
        if (ctx.globals.json)
            print_json(ctx.out, {{"revoked", *target}});
        else if (!ctx.globals.quiet)
            ctx.out << "revoked API key '" << *target << "'\n";
        return exit_ok;
    };
    return dispatch(cmd, ctx, {{create, run_create}, {ls, run_ls}, {revoke, run_revoke}});
}

}  // namespace notify::cli
