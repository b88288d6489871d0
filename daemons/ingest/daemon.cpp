// daemon.cpp - notify-ingest's life: open the stores, bind HTTP (ingest.http) and
// ZeroMQ (ingest.listen), tell systemd it is ready, serve, and on SIGTERM/SIGINT
// stop accepting (HTTP connections are refused; ZeroMQ requests are answered
// 503 shutting_down), let the writer commit what it holds, answer those
// requests, and exit 0.
//
// Config keys read: runtime_dir, [store],
// store.busy_timeout, ingest.listen, ingest.http, ingest.max_body_bytes,
// ingest.max_recipients, ingest.batch_max, ingest.require_api_key,
// ingest.max_connections, ingest.http_idle_timeout, ingest.http_request_timeout,
// ingest.http_max_header_bytes, ingest.http_max_headers, ingest.http_max_url_bytes,
// ingest.router, and the channels and providers (for validation).
#include "daemon.hpp"

#include <event2/event.h>
#include <systemd/sd-daemon.h>
#include <zmq.h>

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "api.hpp"
#include "control.hpp"
#include "held_answers.hpp"
#include "http_server.hpp"
#include "inflight.hpp"
#include "mailbox.hpp"
#include "report_maker.hpp"
#include "store/checkpointer.hpp"
#include "store/configured_store.hpp"
#include "store/presence.hpp"
#include "store/replica_watch.hpp"
#include "util/log.hpp"
#include "util/timeval.hpp"
#include "writer.hpp"
#include "zmq_server.hpp"

namespace notify::ingest {

namespace {

constexpr int kExitUnavailable = 69;
// Reports are made on this many threads, each with its own store connection.
constexpr int kReportThreads = 2;
// How long a stopping daemon goes on writing its last answers.
constexpr util::Millis kLastWrites = 1000;

struct Stopper {
    Api* api = nullptr;
    ReportMaker* reports = nullptr;
    HeldAnswers* held = nullptr;
    HttpServer* http = nullptr;
    InboxStreams* streams = nullptr;
    InFlight* inflight = nullptr;
    bool stopped = false;
};

void on_signal(evutil_socket_t sig, short, void* arg) {
    auto* s = static_cast<Stopper*>(arg);
    if (s->stopped) return;
    s->stopped = true;
    NLOG(info, "", "stopping signal=" << sig << " in_flight=" << s->inflight->count());
    sd_notify(0, "STOPPING=1");
    s->api->set_stopping();
    if (s->http) s->http->close_listener();
    if (s->streams) s->streams->close_all();
    if (s->http) s->http->close_streamed();
    s->reports->stop();
    s->held->answer_all();
    s->inflight->stop();
}

// Announces this ingest in cluster_members every beat, with its health as
// the router's last answer left it, and asks the router again (health.hpp).
struct Announcer {
    Api* api = nullptr;
    store::Presence* presence = nullptr;
    const Config* config = nullptr;

    void describe() {
        nlohmann::json detail{{"version", NOTIFY_VERSION},
                              {"runtime_dir", config->runtime_dir},
                              {"listen", config->ingest.listen},
                              {"http", config->ingest.http},
                              {"health", api->health_report()}};
        presence->describe(detail.dump());
    }
    void announce() {
        describe();
        api->health().check_router();
    }
    // The first description waits for the router's first answer.
    void first() {
        api->health().check_router([this] { describe(); });
    }
};

void on_beat(evutil_socket_t, short, void* arg) {
    static_cast<Announcer*>(arg)->announce();
}

store::Options store_options(const Config& c) {
    store::Options o;
    o.synchronous_full = c.store.synchronous_full;
    o.busy_timeout = c.store.busy_timeout;
    // A commit a client waits for never copies the log into the file: the
    // Checkpointer does, on its own thread.
    o.checkpoints = false;
    return o;
}

// Each HTTP connection, and so each open inbox stream, holds a descriptor:
// the soft limit is raised toward the hard one, up to kMaxDescriptors.
constexpr rlim_t kMaxDescriptors = 65536;

void raise_descriptor_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
    rlim_t want = std::min(lim.rlim_max, kMaxDescriptors);
    if (lim.rlim_cur >= want) return;
    lim.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
        NLOG(warning, "", "cannot raise the open files limit to " << want);
}

struct EventBaseDeleter {
    void operator()(event_base* b) const { event_base_free(b); }
};
struct EventDeleter {
    void operator()(event* e) const { event_free(e); }
};
struct ZmqContextDeleter {
    void operator()(void* c) const { zmq_ctx_term(c); }
};

}  // namespace

int run_daemon(const Config& config) {
    std::signal(SIGPIPE, SIG_IGN);
    raise_descriptor_limit();
    std::error_code ec;
    std::filesystem::create_directories(config.runtime_dir, ec);
    if (ec) {
        NLOG(error, "",
             "cannot create runtime_dir '" << config.runtime_dir << "': " << ec.message());
        return kExitUnavailable;
    }
    auto reads = store::open_configured(config.store, store_options(config));
    if (!reads) {
        NLOG(error, "", reads.error().message);
        return kExitUnavailable;
    }
    auto writes = store::open_configured(config.store, store_options(config));
    if (!writes) {
        NLOG(error, "", writes.error().message);
        return kExitUnavailable;
    }
    // Its own connection, whose beats never wait for the disk, on its own
    // thread: it may copy the log into the file (SQLite's automatic
    // checkpoint), as no commit a client waits for does, so that an idle
    // store's log does not grow with the beats alone.
    auto beats =
        store::open_configured(config.store, {false, config.store.busy_timeout, true, true});
    if (!beats) {
        NLOG(error, "", beats.error().message);
        return kExitUnavailable;
    }
    auto replicas = store::configured_replicas(config.store, store_options(config));
    if (!replicas) {
        NLOG(error, "", replicas.error().message);
        return kExitUnavailable;
    }
    // Checks the replicas on its own thread; outlives every reader of them.
    store::ReplicaWatch replica_watch(std::move(*replicas));
    replica_watch.start();
    // Before the writer, whose commits tell it the log's length until the end
    // (SQLite's write-ahead log; a MySQL server keeps its own).
    store::LogLength log_length;
    std::unique_ptr<store::Store> checkpoints;
    if (config.store.on_file()) {
        auto opened = store::Store::open(config.store.path, store_options(config));
        if (!opened) {
            NLOG(error, "", opened.error().message);
            return kExitUnavailable;
        }
        checkpoints = std::move(*opened);
        log_length.watch(**writes);
    }

    // Declared in this order so that teardown runs in reverse: servers, API and
    // writer go before the mailbox, the ZeroMQ context and the event base.
    std::unique_ptr<event_base, EventBaseDeleter> base(event_base_new());
    std::unique_ptr<void, ZmqContextDeleter> zmq_context(zmq_ctx_new());
    Mailbox mailbox(base.get());
    Metrics metrics;
    InFlight inflight(base.get());
    ZmqRouterControl control(zmq_context.get(), config.ingest.router, mailbox);
    GroupWriter writer(std::move(*writes), mailbox, zmq_context.get(), config.ingest.router,
                       static_cast<size_t>(config.ingest.batch_max),
                       [&metrics](const CommitStats& s) {
                           if (s.ok) metrics.commit(s.notifications, s.seconds);
                       });
    // Copies the log into the file while the store takes writes (as /healthz
    // says); gone before the writer.
    std::optional<store::Checkpointer> checkpointer;
    if (checkpoints) {
        checkpointer.emplace(std::move(checkpoints), log_length,
                             [&writer, &config] { return store_writable(writer, config.store); });
        checkpointer->start();
    }
    Api api(config, **reads, writer, control, metrics);
    api.read_replicas(replica_watch);
    // Gone before the API, after the HTTP server has cut off what it was
    // still sending.
    std::vector<std::unique_ptr<store::Store>> report_stores;
    for (int i = 0; i < kReportThreads; ++i) {
        auto s = store::open_configured(config.store, store_options(config));
        if (!s) {
            NLOG(error, "", s.error().message);
            return kExitUnavailable;
        }
        report_stores.push_back(std::move(*s));
    }
    ReportMaker reports(
        std::move(report_stores),
        [&mailbox](std::function<void()> fn) { mailbox.post(std::move(fn)); },
        std::chrono::milliseconds(config.ingest.http_idle_timeout), &replica_watch);
    api.make_reports_with(reports);
    // Gone before the API, whose answers it holds.
    HeldAnswers held(base.get(), **reads, metrics);
    api.hold_answers_with(held);

    // Before the HTTP server, which may still close streams as it goes.
    std::unique_ptr<InboxStreams> streams;
    std::unique_ptr<HttpServer> http;
    if (!config.ingest.http.empty()) {
        try {
            streams = std::make_unique<InboxStreams>(base.get(), **reads, config, metrics);
        } catch (const store::StoreFailure& f) {
            NLOG(error, "", "cannot read the inboxes in the store: " << f.message);
            return kExitUnavailable;
        }
        http = std::make_unique<HttpServer>(base.get(), api, metrics, inflight,
                                            HttpLimits::from(config), *streams);
        auto st = http->bind(config.ingest.http);
        if (!st) {
            NLOG(error, "", st.error().message);
            return kExitUnavailable;
        }
    }
    ZmqServer zmq(base.get(), zmq_context.get(), api, metrics, inflight,
                  config.ingest.max_body_bytes);
    if (auto st = zmq.bind(config.ingest.listen); !st) {
        NLOG(error, "", st.error().message);
        return kExitUnavailable;
    }

    Stopper stopper{&api, &reports, &held, http.get(), streams.get(), &inflight};
    std::unique_ptr<event, EventDeleter> sigterm(
        evsignal_new(base.get(), SIGTERM, on_signal, &stopper));
    std::unique_ptr<event, EventDeleter> sigint(
        evsignal_new(base.get(), SIGINT, on_signal, &stopper));
    event_add(sigterm.get(), nullptr);
    event_add(sigint.get(), nullptr);

    store::Presence presence(std::move(*beats), "ingest", config.runtime_dir);
    Announcer announcer{&api, &presence, &config};
    std::unique_ptr<event, EventDeleter> beat(
        event_new(base.get(), -1, EV_PERSIST, on_beat, &announcer));
    const timeval every = util::to_timeval(store::Presence::kBeat);
    event_add(beat.get(), &every);
    announcer.first();
    presence.start();

    sd_notify(0, "READY=1");
    NLOG(info, "",
         "started version=" NOTIFY_VERSION " http="
             << (config.ingest.http.empty() ? "off" : config.ingest.http)
             << " listen=" << config.ingest.listen << " store=" << config.store.where());
    event_base_dispatch(base.get());
    event_del(beat.get());  // what is left is the last answers
    // The last answers (held ones, those of the last commit) may still be in
    // their connections' buffers, written when each socket is next seen
    // writable: the loop waits for that until they are, for at most
    // kLastWrites (a client that does not read is not waited for longer).
    const util::Millis written_by = util::steady_ms() + kLastWrites;
    event_base_loop(base.get(), EVLOOP_NONBLOCK);
    for (util::Millis left = kLastWrites; http && http->sending() && left > 0;
         left = written_by - util::steady_ms()) {
        const timeval most = util::to_timeval(left);
        event_base_loopexit(base.get(), &most);
        event_base_loop(base.get(), EVLOOP_ONCE);
    }

    // Every accepted request has its answer; the writer's queue is empty.
    writer.stop();
    presence.stop();
    NLOG(info, "", "stopped");
    return 0;
}

}  // namespace notify::ingest
