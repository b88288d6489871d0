// command.hpp - what every notifyctl command shares: the global options, the
// streams it talks through, and the one table that registers the commands.
//
// A command group provides a setup function that adds its options to a CLI11
// subcommand and returns the runner to call once the command line is parsed.
// Runners return the process exit code (sysexits.h, see notifyctl(1)).
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "config.hpp"
#include "util/error.hpp"

namespace CLI {
class App;
}

namespace notify::cli {

// sysexits.h values, spelled once.
enum Exit : int {
    exit_ok = 0,
    exit_wait_failed = 1,  // --wait ended with a failed, expired or canceled delivery
    exit_not_ready = 1,    // cluster status: something is degraded, silent or not read
    exit_usage = 64,
    exit_data = 65,
    exit_no_input = 66,
    exit_unavailable = 69,
    exit_software = 70,
    exit_cant_create = 73,
    exit_temp = 75,
    exit_no_perm = 77,
};

struct Globals {
    std::string config_path;    // --config
    bool config_given = false;  // --config was on the command line, maybe empty
    bool json = false;          // --json
    bool quiet = false;         // -q
    int verbose = 0;            // -v (repeatable)
    Millis timeout = 10000;     // --timeout: how long to wait for notify-ingest
};

struct Context {
    Globals globals;
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
};

// Prints "notifyctl: error: MESSAGE" on stderr and returns `code`.
int fail(Context& ctx, int code, const std::string& message);
// The same for an Error: its exit code, its message and the field it names.
int fail(Context& ctx, const Error& error);
// An Error's message, after the field it names when the message does not.
std::string error_text(const Error& error);
// "notifyctl: warning: MESSAGE" unless --quiet.
void warn(Context& ctx, const std::string& message);
// Loads the configuration that --config (else NOTIFY_CONFIG, ...) names.
Expected<Config> load(const Context& ctx);

using Runner = std::function<int()>;
using Setup = Runner (*)(CLI::App& command, Context& ctx);

struct Command {
    const char* name;
    const char* help;  // one line
    Setup setup;
};

// Every command of this release, in the order `notifyctl --help` lists them.
const std::vector<Command>& commands();

Runner setup_send(CLI::App& command, Context& ctx);
Runner setup_status(CLI::App& command, Context& ctx);
Runner setup_ls(CLI::App& command, Context& ctx);
Runner setup_queue(CLI::App& command, Context& ctx);
Runner setup_resend(CLI::App& command, Context& ctx);
Runner setup_cancel(CLI::App& command, Context& ctx);
Runner setup_approve(CLI::App& command, Context& ctx);
Runner setup_reject(CLI::App& command, Context& ctx);
Runner setup_report(CLI::App& command, Context& ctx);
Runner setup_schedule(CLI::App& command, Context& ctx);
Runner setup_calendar(CLI::App& command, Context& ctx);
Runner setup_apikey(CLI::App& command, Context& ctx);
Runner setup_audit(CLI::App& command, Context& ctx);
Runner setup_config(CLI::App& command, Context& ctx);
Runner setup_template(CLI::App& command, Context& ctx);
Runner setup_up(CLI::App& command, Context& ctx);
Runner setup_vapid(CLI::App& command, Context& ctx);
Runner setup_keys(CLI::App& command, Context& ctx);
Runner setup_store(CLI::App& command, Context& ctx);
Runner setup_cluster(CLI::App& command, Context& ctx);
Runner setup_inbox(CLI::App& command, Context& ctx);
Runner setup_otp(CLI::App& command, Context& ctx);

// Parses `args` (without the program name) and runs the command they name.
int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err);

// For a command group with subcommands (apikey, config): the runner of the one
// that was given, or a usage error listing them.
Runner dispatch(CLI::App& group, Context& ctx, std::vector<std::pair<CLI::App*, Runner>> subs);

}  // namespace notify::cli
