// inbox_cmd.cpp - `notifyctl inbox token USER [--ttl DUR]`: the token that
// lets USER's own page or app read and mark USER's inbox and follow its
// stream, and nothing else (inbox_token.hpp). Back ends written in shell use
// it; others make the same HMAC themselves with inbox.secret. It works on the
// store directly: the user must be in the directory, and without inbox.secret
// the secret is the one kept in the store.
#include <CLI/CLI.hpp>

#include <memory>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "inbox_token.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/directory_store.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

constexpr Millis kMaxTtl = 366LL * 24 * 3600 * 1000;

struct TokenOptions {
    std::string user;
    std::string ttl = "24h";
};

int token(Context& ctx, const TokenOptions& o) {
    auto ttl = util::parse_duration(o.ttl);
    if (!ttl) return fail(ctx, exit_usage, "--ttl: " + ttl.error().message);
    if (*ttl < 1000 || *ttl > kMaxTtl)
        return fail(ctx, exit_usage, "--ttl must be from 1s to 366d");
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    auto s = open_store(ctx, false);
    if (!s) return fail(ctx, s.error());
    const Error unknown =
        make_error(ErrorKind::invalid, "unknown_user", "no user '" + o.user + "' in the directory");
    if (!*s) return fail(ctx, unknown);
    if (!store::DirectoryStore(**s).get_user(o.user)) return fail(ctx, unknown);
    auto secret = inbox_secret(*config, **s);
    if (!secret) return fail(ctx, secret.error());
    const Millis expires = util::now_ms() + *ttl;
    const std::string t = inbox_token(*secret, o.user, expires);
    if (ctx.globals.json)
        print_json(ctx.out, {{"user", o.user},
                             {"token", t},
                             {"expires_at", util::format_rfc3339(expires / 1000 * 1000)}});
    else
        ctx.out << t << "\n";
    return exit_ok;
}

}  // namespace

Runner setup_inbox(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    auto* token_cmd =
        cmd.add_subcommand("token", "print a token for a user's own inbox (pages and apps)");
    auto o = std::make_shared<TokenOptions>();
    token_cmd->add_option("USER", o->user, "the user's id in the directory")->required();
    token_cmd->add_option("--ttl", o->ttl, "how long it is good for, 1s to 366d (default 24h)");
    token_cmd->footer(
        "Examples:\n"
        "  notifyctl inbox token ana\n"
        "  curl -H \"Authorization: Bearer $(notifyctl inbox token ana --ttl 1h)\" \\\n"
        "       http://127.0.0.1:8025/v1/inbox/ana");
    return dispatch(cmd, ctx, {{token_cmd, [&ctx, o] { return token(ctx, *o); }}});
}

}  // namespace notify::cli
