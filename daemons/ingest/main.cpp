// notify-ingest - the front door of notify.
//
// In:  notifications over HTTP/JSON (ingest.http) from applications and over
//      ZeroMQ (ingest.listen) from notifyctl; reads of notifications and the queue.
// Out: notifications and their deliveries committed to the store (store.path),
//      acknowledged only after commit; nudges to the router (router.control);
//      cancel and resend forwarded to the router.
// One instance per runtime_dir: it holds RUNTIME_DIR/notify-ingest.lock.
// See notify-ingest(8) for the API and notify.toml(5) for the configuration.
#include <CLI/CLI.hpp>
#include <iostream>

#include "config.hpp"
#include "daemon.hpp"
#include "store/sqlite_db.hpp"
#include "util/instance_lock.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

int main(int argc, char** argv) {
    CLI::App app{
        "notify-ingest: accepts notifications over HTTP/JSON and ZeroMQ, stores them, and "
        "tells the router.\n\nExample: notify-ingest --config /etc/notify/notify.toml",
        "notify-ingest"};
    std::string config_path;
    bool version = false;
    app.add_option("--config", config_path,
                   "configuration file (default: $NOTIFY_CONFIG, "
                   "./notify.toml, /etc/notify/notify.toml)");
    app.add_flag("--version", version, "print the version and exit");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 64;
    }
    if (version) {
        std::cout << "notify-ingest " NOTIFY_VERSION "\n";
        return 0;
    }
    notify::log::set_program("notify-ingest");
    notify::store::skip_memory_statistics();
    auto config = notify::load_config(config_path, app.count("--config") > 0);
    if (!config) {
        std::cerr << "notify-ingest: error: " << config.error().message << "\n";
        return notify::exit_code(config.error().kind);
    }
    notify::log::Level level;
    if (!notify::log::parse_level(config->log_level, level)) {
        std::cerr << "notify-ingest: error: log.level '" << config->log_level
                  << "' must be debug, info, warning or error\n";
        return 78;  // EX_CONFIG
    }
    notify::log::set_level(level);
    notify::util::use_local_zone(config->report.timezone);  // report days (checked with the config)
    // Before anything is bound: a second ingest for this runtime_dir leaves the
    // first one's sockets alone.
    auto lock = notify::util::InstanceLock::acquire(
        notify::util::lock_path(config->runtime_dir, "notify-ingest"), "notify-ingest");
    if (!lock) {
        std::cerr << "notify-ingest: error: " << lock.error().message << "\n";
        return notify::exit_code(lock.error().kind);
    }
    try {
        return notify::ingest::run_daemon(*config);
    } catch (const std::exception& e) {
        std::cerr << "notify-ingest: error: " << e.what() << "\n";
        return 70;  // EX_SOFTWARE
    }
}
