// notify-priority-router - the queue manager.
//
// Reads: [store], [router] (listen, control, lease, retry_min, retry_max,
// max_attempts, max_lifetime, share_medium, share_low, sweep_interval,
// flush_interval, worker_timeout, curve_secret_key, curve_workers), [preferences],
// [bulk] (expand_batch),
// templates.default_locale, [channels] (names, frequency_cap, weights) and
// [providers] (names, types and rate_limit). One instance per runtime_dir: it
// holds RUNTIME_DIR/notify-priority-router.lock. One router of a store
// delivers: the one holding its lease (lease_keeper.hpp); the others stand by
// until it expires. See notify-priority-router(8).
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <optional>

#include "config.hpp"
#include "lease_keeper.hpp"
#include "router.hpp"
#include "store/checkpointer.hpp"
#include "store/configured_store.hpp"
#include "store/presence.hpp"
#include "store/sqlite_db.hpp"
#include "util/instance_lock.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) {
    g_stop = true;
}
// Says why the router cannot go on; its exit status.
int fail(const notify::Error& e) {
    std::cerr << "notify-priority-router: error: " << e.message << "\n";
    return notify::exit_code(e.kind);
}
// Another router took the deliveries over: a temporary failure, after which
// systemd starts this one again, to stand by.
constexpr int kLostLease = 75;
}  // namespace

int main(int argc, char** argv) {
    using namespace notify;
    CLI::App app{"notify-priority-router: the queue manager of notify"};
    std::string config_path;
    app.add_option("--config", config_path,
                   "configuration file (default: $NOTIFY_CONFIG, "
                   "./notify.toml, /etc/notify/notify.toml)");
    app.set_version_flag("--version", std::string("notify-priority-router ") + NOTIFY_VERSION);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 64;
    }

    log::set_program("notify-priority-router");
    store::skip_memory_statistics();
    auto config = load_config(config_path, app.count("--config") > 0);
    if (!config) return fail(config.error());
    log::Level level;
    if (log::parse_level(config->log_level, level)) log::set_level(level);
    util::use_local_zone(config->report.timezone);  // report days (checked with the config)
    // Before anything is bound: a second router for this runtime_dir leaves the
    // first one's sockets alone.
    auto lock = util::InstanceLock::acquire(
        util::lock_path(config->runtime_dir, "notify-priority-router"), "notify-priority-router");
    if (!lock) return fail(lock.error());

    // The router's commits do not wait for the disk (WAL with synchronous=NORMAL): they
    // are durable at the next fsync of the shared log, ingest's next commit, and a
    // power failure before that only repeats attempts (delivery is at least once).
    // Holding the write lock for a fraction of the time leaves it to ingest, whose
    // commits are acknowledgements and always honour store.synchronous.
    store::LogLength log_length;  // hears the store's commits: it outlives them
    auto store = store::open_configured(config->store, {false, config->store.busy_timeout});
    if (!store) return fail(store.error());

    // On SQLite its commits never copy the log into the file, which under a
    // backlog took one of them 100 ms: a thread of its own does
    // (store/checkpointer.hpp), on a second connection, as ingest's does.
    std::optional<store::Checkpointer> checkpointer;
    if (config->store.on_file()) {
        log_length.watch(**store);
        auto checkpoints = store::Store::open(config->store.path,
                                              {false, config->store.busy_timeout, false, false});
        if (!checkpoints) return fail(checkpoints.error());
        // Not while the file cannot be written (moved, read-only, a full disk
        // refuses the commits that would grow the log anyway).
        const std::string path = config->store.path;
        checkpointer.emplace(std::move(*checkpoints), log_length, [path] {
            return path == ":memory:" || access(path.c_str(), W_OK) == 0;
        });
        checkpointer->start();
    }

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    // Its row of cluster_members, written on a connection of its own (an
    // in-memory store is one connection's alone: none), on a thread of its
    // own, which may copy the log into the file: an idle store's log does
    // not grow with the beats alone.
    std::optional<store::Presence> presence;
    if (!config->store.on_file() || config->store.path != ":memory:") {
        auto beats =
            store::open_configured(config->store, {false, config->store.busy_timeout, false, true});
        if (!beats) return fail(beats.error());
        presence.emplace(std::move(*beats), "router", config->runtime_dir);
    }

    // The lease on the deliveries, claimed on a connection of its own (an
    // in-memory store has one router by nature: none). Until it holds it, the
    // router stands by, bound to nothing; once it does, each of its
    // connections checks the lease in every write transaction.
    std::optional<router::LeaseKeeper> lease;
    if (presence) {
        auto claims =
            store::open_configured(config->store, {false, config->store.busy_timeout, false, true});
        if (!claims) return fail(claims.error());
        lease.emplace(std::move(*claims), presence->id(),
                      static_cast<int>(config->router.partitions), config->router.partition_lease);
        lease->start();
        bool told = false;
        Millis described_at = 0;
        // Looks at g_stop (set by a signal) every 200 ms.
        while (!g_stop && !lease->wait_until_held(200) && lease->refusal().empty()) {
            if (util::steady_ms() - described_at < store::Presence::kBeat) continue;
            described_at = util::steady_ms();
            presence->describe(router::standby_description(*config, *lease));
            if (!told) {
                presence->start();
                sd_notify(0, "READY=1\nSTATUS=standing by: another router delivers");
                told = true;
            }
        }
        if (g_stop) {
            lease->stop();  // taken meanwhile: let go at once
            presence->stop();
            return 0;
        }
        // Refused: its row is left to go silent, not marked stopped, as
        // for any exit on an error.
        if (const std::string refused = lease->refusal(); !refused.empty())
            return fail(make_error(ErrorKind::invalid, "invalid_config", refused));
        // A database server drops a connection left idle through a long
        // standby: the loop's is opened again.
        if (told && !config->store.on_file()) {
            store = store::open_configured(config->store, {false, config->store.busy_timeout});
            if (!store) return fail(store.error());
        }
        (*store)->handle().set_write_fence(lease->fence());
    }

    // The router serves the partitions its lease assigns to it: when they
    // change (a router joins or leaves), it drains and is made anew for them,
    // and what it no longer serves is let go as it is (Router::hold_with).
    bool stopped_cleanly = false;
    while (true) {
        // The periodic commits run on a thread of their own, on a third
        // connection (commit_thread.hpp): waiting there for the write lock
        // holds up no dispatching. An in-memory store is one connection's alone.
        std::unique_ptr<store::Store> commits;
        if (!config->store.on_file() || config->store.path != ":memory:") {
            auto opened = store::open_configured(config->store,
                                                 {false, config->store.busy_timeout, false, true});
            if (!opened) return fail(opened.error());
            if (config->store.on_file()) log_length.watch(**opened);
            if (lease) (*opened)->handle().set_write_fence(lease->fence());
            commits = std::move(*opened);
        }
        try {
            router::Router router(*config, **store, std::move(commits));
            if (presence) router.announce_with(*presence);
            if (lease) router.hold_with(*lease);
            auto started = router.start();
            if (!started) return fail(started.error());
            NLOG(info, "",
                 "ready workers=" << config->router.listen << " control=" << config->router.control
                                  << " curve="
                                  << (config->router.curve_secret_key.empty() ? "off" : "on"));
            sd_notify(0, "READY=1\nSTATUS=delivering");
            if (presence) presence->start();
            router.run(g_stop);
            if (router.lost_lease()) {
                std::cerr << "notify-priority-router: error: another router has taken over "
                             "partitions this one held; this one exits, to claim its share "
                             "when started again\n";
                return kLostLease;
            }
            if (!router.reassigned() || g_stop) {
                sd_notify(0, "STOPPING=1");
                stopped_cleanly = true;
                break;
            }
        } catch (const store::StoreFailure& f) {
            return fail(store::to_error(f));
        } catch (const std::exception& e) {
            std::cerr << "notify-priority-router: error: " << e.what() << "\n";
            return 70;
        }
    }
    // Its sockets closed with the router: the lease is let go only now, so
    // that nothing reaches this one once another may take over.
    if (stopped_cleanly) {
        if (lease) lease->stop();
        if (presence) presence->stop();
    }
    return 0;
}
