// keys_cmd.cpp - `notifyctl keys generate`: a new CURVE key pair (ZeroMQ RFC
// 26) for the link between the router and its workers (worker_auth.hpp,
// router_link.hpp): the router's pair gives router.curve_secret_key and each
// worker's worker.router_public_key; a worker's gives its
// worker.curve_secret_key and an entry of the router's router.curve_workers.
// Both keys are 40 characters of Z85. With --secret-file the secret is
// written to a new file of mode 0600 and not printed. Needs no configuration,
// store or daemon.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "crypto/curve_key.hpp"
#include "output.hpp"

namespace notify::cli {

namespace {

// Writes `secret` and a newline to a new file `path`, mode 0600; 0 when
// done, else the errno of what failed (and the file is not left behind).
int write_secret(const std::string& path, const std::string& secret) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return errno;
    const std::string text = secret + "\n";
    std::size_t done = 0;
    int error = 0;
    while (done < text.size() && !error) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            error = n < 0 ? errno : EIO;
        else
            done += static_cast<std::size_t>(n);
    }
    if (!error && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && !error) error = errno;
    if (error) ::unlink(path.c_str());
    return error;
}

int generate(Context& ctx, const std::string& secret_file) {
    auto pair = crypto::generate_curve_keys();
    if (!pair) return fail(ctx, exit_software, "cannot make a key pair: " + pair.error().message);
    // The daemons read it from wherever they run: name it absolutely.
    const std::string path =
        secret_file.empty() ? std::string() : std::filesystem::absolute(secret_file).string();
    if (!path.empty()) {
        if (const int error = write_secret(path, pair->secret_key))
            return fail(ctx, exit_cant_create,
                        "cannot create '" + path + "': " + std::strerror(error) +
                            (error == EEXIST ? " (a key is never overwritten)" : ""));
    }
    if (ctx.globals.json) {
        nlohmann::json out = {{"public_key", pair->public_key}};
        if (path.empty())
            out["secret_key"] = pair->secret_key;
        else
            out["secret_file"] = path;
        print_json(ctx.out, out);
        return exit_ok;
    }
    ctx.out
        << "# A CURVE key pair for the link between the router and its workers.\n"
        << "# The router's: router.curve_secret_key, and each worker's worker.router_public_key.\n"
        << "# A worker's: worker.curve_secret_key, and an entry of router.curve_workers.\n"
        << "public_key = \"" << pair->public_key << "\"\n"
        << "curve_secret_key = \"" << (path.empty() ? pair->secret_key : "file:" + path) << "\"\n";
    return exit_ok;
}

}  // namespace

Runner setup_keys(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    auto* generate_cmd = cmd.add_subcommand(
        "generate", "print a new CURVE key pair for the link between the router and its workers");
    auto secret_file = std::make_shared<std::string>();
    generate_cmd
        ->add_option("--secret-file", *secret_file,
                     "write the secret key to this new file (mode 0600) instead of printing it")
        ->type_name("PATH");
    generate_cmd->footer(
        "Examples:\n"
        "  notifyctl keys generate --secret-file /etc/notify/router.key\n"
        "  notifyctl keys generate --json | jq -r .public_key");
    return dispatch(cmd, ctx,
                    {{generate_cmd, [&ctx, secret_file] { return generate(ctx, *secret_file); }}});
}

}  // namespace notify::cli
