// main.cpp - notify-channel-worker(8): flags, configuration, logging and
// signals; the loop itself is in worker.cpp.
//
// Reads: --config FILE (else $NOTIFY_CONFIG, ./notify.toml, /etc/notify/notify.toml),
// log.level, worker.* and the providers and channels. Exit status: 0 after a
// clean stop, 75 when a worker of the same --name runs, 64 bad usage, 65/66 bad or unreadable
// configuration, 69 when the router endpoint cannot be used, 70 on an internal failure.
//
// --check reads each provider's settings as the worker would build it, prints
// each mistake as one line on stdout ("FILE:LINE: provider 'NAME': ...") and
// exits 65 when there is one, 0 when there is none; `notifyctl config check`
// runs it, so that notifyctl need not link the adapters.
#include <curl/curl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "channels/registry.hpp"
#include "config.hpp"
#include "last_words.hpp"
#include "providers/shown_settings.hpp"
#include "stop_signals.hpp"
#include "util/instance_lock.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "worker.hpp"

namespace {

constexpr const char* kProgram = "notify-channel-worker";

std::string default_name() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "worker");
    return std::string(host) + "-" + std::to_string(getpid());
}

int fail(const std::string& message, int code) {
    std::fprintf(stderr, "%s: error: %s\n", kProgram, message.c_str());
    return code;
}

// Why `log.level` cannot be read, or "".
std::string log_level_mistake(const std::string& text, notify::log::Level& level) {
    if (notify::log::parse_level(text, level)) return "";
    return "log.level must be debug, info, warning or error, not '" +
           notify::util::cut_utf8(text, 64) + "'";
}

// Each mistake in the configuration that would stop the worker, one line each.
int check(const notify::Config& config) {
    int mistakes = 0;
    notify::log::Level level{};
    if (auto why = log_level_mistake(config.log_level, level); !why.empty()) {
        std::printf("%s\n", why.c_str());
        ++mistakes;
    }
    for (const auto& [name, provider] : config.providers) {
        auto st = notify::channels::validate_provider(provider);
        if (st) continue;
        ++mistakes;
        std::string where =
            provider.line ? config.file + ":" + std::to_string(provider.line) + ": " : "";
        std::printf("%s%s\n", where.c_str(), st.error().message.c_str());
    }
    if (mistakes == 0)
        std::printf("%zu provider%s OK\n", config.providers.size(),
                    config.providers.size() == 1 ? "" : "s");
    return mistakes ? 65 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "Delivers notifications: takes jobs from notify-priority-router, runs each\n"
        "provider's adapter (smtp, webhook, file) and reports every outcome.\n\n"
        "Example: notify-channel-worker --config /etc/notify/notify.toml --name mail-1",
        kProgram};
    std::string config_path;
    std::string name;
    app.add_option("--config", config_path,
                   "configuration file (default: $NOTIFY_CONFIG, ./notify.toml, "
                   "/etc/notify/notify.toml)");
    app.add_option("--name", name, "the name this worker gives the router (default: HOST-PID)");
    bool check_only = false;
    app.add_flag("--check", check_only,
                 "check every provider's settings, print each mistake, and exit (65 if any)");
    app.set_version_flag("--version", std::string(kProgram) + " " NOTIFY_VERSION);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        if (!what.empty()) what[0] = static_cast<char>(std::tolower(what[0]));
        return fail(what + " (see --help)", 64);
    }

    notify::log::set_program(kProgram);
    auto config = notify::load_config(config_path, app.count("--config") > 0);
    if (!config) return fail(config.error().message, notify::exit_code(config.error().kind));
    if (check_only) return check(*config);
    notify::log::Level level{};
    if (auto why = log_level_mistake(config->log_level, level); !why.empty()) return fail(why, 65);
    notify::log::set_level(level);
    // No line shows a provider's secret, whatever a vendor's answer or an error echoes.
    for (const auto& [provider_name, provider] : config->providers)
        for (auto& secret : notify::providers::secret_values(provider))
            notify::log::never_show(std::move(secret));
    // Workers run side by side; two under one --name would be one worker to the
    // router, so a named worker holds RUNTIME_DIR/notify-channel-worker.NAME.lock
    // (the default name, HOST-PID, is unique already).
    std::optional<notify::util::InstanceLock> lock;
    if (!name.empty()) {
        auto taken = notify::util::InstanceLock::acquire(
            notify::util::lock_path(config->runtime_dir, kProgram, name),
            std::string(kProgram) + " '" + name + "'");
        if (!taken) return fail(taken.error().message, notify::exit_code(taken.error().kind));
        lock.emplace(std::move(*taken));
    }
    if (name.empty()) name = default_name();

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return fail("cannot start libcurl", 70);
    int signal_fd = notify::worker::install_stop_signals();
    if (signal_fd < 0) return fail("cannot install signal handlers", 70);
    // One line per job the worker may hold at once (its credit), up to a bound.
    if (!notify::worker::last_words::install(
            static_cast<size_t>(std::min<long>(config->worker.concurrency, 4096))))
        return fail("cannot install the fatal-signal handlers", 70);
    int status = 70;
    try {
        status = notify::worker::run(*config, name, signal_fd);
    } catch (const std::exception& e) {
        NLOG(error, "", "internal error: " << e.what());
    }
    curl_global_cleanup();
    return status;
}
