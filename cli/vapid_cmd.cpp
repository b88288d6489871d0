// vapid_cmd.cpp - `notifyctl vapid generate`: a new VAPID key pair (RFC 8292)
// for a `webpush` provider. The public key is what the web page passes to
// pushManager.subscribe() as its applicationServerKey; the private key goes
// into the provider's `vapid_private_key`, best as "file:PATH". Both are
// base64url without padding: the 65-byte uncompressed P-256 point and the
// 32-byte private scalar. Needs no configuration, store or daemon.
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "crypto/p256_key.hpp"
#include "output.hpp"
#include "util/crypto.hpp"

namespace notify::cli {

namespace {

int generate(Context& ctx) {
    auto key = crypto::P256Key::generate();
    if (!key) return fail(ctx, exit_software, "cannot make a key pair: " + key.error().message);
    auto scalar = key->private_scalar();
    if (!scalar)
        return fail(ctx, exit_software, "cannot read the new key: " + scalar.error().message);
    const std::string public_key = util::base64url(key->public_point());
    const std::string private_key = util::base64url(*scalar);
    if (ctx.globals.json) {
        print_json(ctx.out, {{"public_key", public_key}, {"private_key", private_key}});
        return exit_ok;
    }
    ctx.out << "# A VAPID key pair for a [providers.NAME] table of type \"webpush\".\n"
            << "# The web page subscribes with the public key (its applicationServerKey);\n"
            << "# keep the private key secret, for example in a file named by \"file:PATH\".\n"
            << "vapid_public_key = \"" << public_key << "\"\n"
            << "vapid_private_key = \"" << private_key << "\"\n";
    return exit_ok;
}

}  // namespace

Runner setup_vapid(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    auto* generate_cmd = cmd.add_subcommand("generate", "print a new VAPID key pair for Web Push");
    generate_cmd->footer(
        "Examples:\n"
        "  notifyctl vapid generate\n"
        "  notifyctl vapid generate --json | jq -r .private_key > /etc/notify/vapid.key");
    return dispatch(cmd, ctx, {{generate_cmd, [&ctx] { return generate(ctx); }}});
}

}  // namespace notify::cli
