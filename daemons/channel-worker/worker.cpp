// worker.cpp - the worker loop: receives jobs, runs each provider's adapter on
// libcurl's multi interface, and reports one result per job.
//
// The worker serves each router of worker.router through its own DEALER
// (router_link.hpp), each given an equal share of worker.concurrency as credit;
// a job's result goes back to the router that handed it out, and is credit
// for that router only.
//
// ZeroMQ and curl share one poll: curl_multi_poll() waits on curl's sockets plus
// each DEALER's ZMQ_FD, their handshakes' monitors and the stop-signal pipe.
// ZMQ_FD is edge-triggered, so the sockets are drained (recv with ZMQ_DONTWAIT
// until EAGAIN) and ZMQ_EVENTS is checked before every poll; a poll never
// starts while a frame is waiting. Results leave through each link's outbox so
// a full socket never blocks the loop.
//
// An attempt may take several transfers (an access token, then the send) and may
// wait while another job of the same provider fetches the token: such jobs are
// parked and started again when one of the worker's transfers ends.
//
// Stopping: the first SIGTERM/SIGINT sends Bye, tells systemd STOPPING=1, answers
// jobs that still arrive with a retryable "worker shutting down" and lets the
// transfers in flight finish; a second signal abandons them (retryable too).
#include "worker.hpp"

#include <curl/curl.h>
#include <systemd/sd-daemon.h>

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "channels/adapter.hpp"
#include "channels/attempt_result.hpp"
#include "channels/registry.hpp"
#include "last_words.hpp"
#include "router_link.hpp"
#include "stop_signals.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "wire.hpp"

namespace notify::worker {

namespace {

using channels::Adapter;
using channels::Attempt;
using channels::Transfer;

constexpr Millis kMaxPollMs = 1000;
constexpr Millis kOutboxRetryMs = 50;    // poll interval while results wait for the socket
constexpr Millis kFlushOnExitMs = 5000;  // how long a stopping worker waits to hand results over
constexpr Millis kResultMargin = 200;    // keep this much of a lease for the result to travel

// An adapter's start of an attempt; what it throws is a retryable failure.
channels::Started start_attempt(Adapter& adapter, const wire::Job& job) {
    try {
        return adapter.start(job);
    } catch (const std::exception& e) {
        return Attempt::retryable("internal", e.what());
    }
}

// A reason as one quoted log value.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
    return out + "\"";
}

class Worker {
  public:
    Worker(const Config& config, std::string name, int signal_fd)
        : config_(config),
          name_(std::move(name)),
          signal_fd_(signal_fd),
          multi_(curl_multi_init()) {}

    ~Worker() {
        for (auto& [easy, flight] : in_flight_) curl_multi_remove_handle(multi_, easy);
        in_flight_.clear();
        if (multi_) curl_multi_cleanup(multi_);
    }

    int run();

  private:
    // A job, the router it came from (an index into links_) and when it started.
    struct Task {
        std::size_t link = 0;
        wire::Job job;
        Millis started = 0;
    };
    struct InFlight {
        Task task;
        std::unique_ptr<Transfer> transfer;
    };

    // The share of worker.concurrency each router is given: equal, the first
    // ones one more while the division leaves some.
    std::vector<int> credit_shares() const;
    Status open_links();

    void build_adapters();
    Adapter* adapter_for(const std::string& provider, Attempt& refusal);
    void on_frame(std::size_t link, const std::string& frame);
    void start_job(const Task& task);
    // Runs what an adapter made of an attempt: reports it, parks it or adds its transfer.
    void go_on(Task task, channels::Started next);
    // Starts the parked jobs again (those whose lease ran out are answered).
    void resume_parked();
    void drop_unstarted(Transfer& transfer);
    void report(const Task& task, const Attempt& attempt);
    void pump_links();
    bool outboxes_empty() const;
    void pump_curl();
    void on_signals();
    void begin_drain();
    void abandon_transfers();
    void heartbeat();
    int poll_timeout() const;

    const Config& config_;
    std::string name_;
    int signal_fd_;
    zmq::context_t context_;
    std::vector<std::unique_ptr<RouterLink>> links_;  // one for each of worker.router
    CURLM* multi_;
    channels::AdapterOptions adapter_options_;
    std::map<std::string, std::unique_ptr<Adapter>> adapters_;
    std::map<std::string, std::string> broken_;  // provider -> why it cannot be used
    std::unordered_map<CURL*, InFlight> in_flight_;
    std::deque<Task> parked_;
    bool draining_ = false;
    Millis heartbeat_every_ = 1000;
    Millis next_heartbeat_ = 0;
};

// Providers this worker serves: those of worker.channels, or all of them.
void Worker::build_adapters() {
    std::set<std::string> wanted;
    if (config_.worker.channels.empty()) {
        for (const auto& [name, p] : config_.providers) wanted.insert(name);
    } else {
        for (const auto& ch : config_.worker.channels) {
            const ChannelConfig* c = config_.channel(ch);
            if (!c) {
                NLOG(warning, "",
                     "worker.channels names unknown channel '"
                         << ch << "'" << util::did_you_mean(ch, config_.channel_names()));
                continue;
            }
            for (const auto& p : c->providers) wanted.insert(p);
        }
    }
    for (const auto& name : wanted) {
        Attempt ignored;
        adapter_for(name, ignored);
    }
}

// The adapter for a provider, built on first use; nullptr with `refusal` set when
// the provider is unknown or its settings are wrong.
Adapter* Worker::adapter_for(const std::string& provider, Attempt& refusal) {
    if (auto it = adapters_.find(provider); it != adapters_.end()) return it->second.get();
    if (auto it = broken_.find(provider); it != broken_.end()) {
        refusal = Attempt::permanent("invalid_provider", it->second);
        return nullptr;
    }
    const ProviderConfig* p = config_.provider(provider);
    if (!p) {
        refusal = Attempt::permanent("unknown_provider", "unknown provider '" + provider + "'");
        return nullptr;
    }
    auto adapter = channels::make_adapter(*p, adapter_options_);
    if (!adapter) {
        NLOG(error, "", adapter.error().message);
        broken_[provider] = adapter.error().message;
        refusal = Attempt::permanent("invalid_provider", adapter.error().message);
        return nullptr;
    }
    Adapter* raw = adapter->get();
    adapters_[provider] = std::move(*adapter);
    return raw;
}

void Worker::on_frame(std::size_t link, const std::string& frame) {
    wire::Frame decoded = wire::decode(frame);
    const std::string& type = decoded.type;
    RouterLink& router = *links_[link];
    if (type == "reconnect") {
        // A router that restarted does not know this worker: announce its whole share.
        // Results of jobs from before give no credit back to the new router, so the
        // transfers still running only overlap for as long as they take.
        if (draining_) return;
        router.send(wire::encode(wire::Ready{name_, router.credit(), config_.worker.channels}));
        NLOG(info, "",
             "re-announced to the router credit=" << router.credit()
                                                  << " router=" << log::clip(router.endpoint()));
        return;
    }
    if (type != "job") {
        NLOG(warning, "", "ignored frame type=" << quoted(type) << " bytes=" << frame.size());
        return;
    }
    std::optional<wire::Job>& job = decoded.job;
    if (!job) {
        NLOG(warning, "", "ignored malformed job bytes=" << frame.size());
        return;
    }
    last_words::note(*job);  // before anything of the job runs: it may be what kills us
    // Exactly one result for every job, whatever fails on the way.
    const Task task{link, std::move(*job), util::steady_ms()};
    try {
        start_job(task);
    } catch (const std::exception& e) {
        report(task, Attempt::retryable("internal", e.what()));
    }
}

void Worker::start_job(const Task& task) {
    if (draining_) {
        report(task, Attempt::retryable("shutting_down", "worker shutting down"));
        return;
    }
    Attempt refusal;
    Adapter* adapter = adapter_for(task.job.provider, refusal);
    if (!adapter) {
        report(task, refusal);
        return;
    }
    NLOG(debug, task.job.notification_id,
         "start delivery=" << task.job.delivery_id << " provider=" << task.job.provider
                           << " attempt=" << task.job.attempt);
    go_on(task, start_attempt(*adapter, task.job));
}

void Worker::go_on(Task task, channels::Started next) {
    const wire::Job& job = task.job;
    if (auto* done = std::get_if<Attempt>(&next)) {
        report(task, *done);
        return;
    }
    if (std::holds_alternative<channels::Wait>(next)) {
        parked_.push_back(std::move(task));
        return;
    }
    auto transfer = std::move(std::get<std::unique_ptr<Transfer>>(next));
    CURL* easy = transfer->handle();
    // Finish inside the router's lease, with time for the result to reach it: an
    // answer after the lease would come after the router has tried again.
    if (job.deadline > 0) {
        Millis left = job.deadline - util::now_ms() - kResultMargin;
        if (left <= 0) {
            drop_unstarted(*transfer);
            report(task, Attempt::retryable("lease", "the lease ran out before the attempt"));
            return;
        }
        if (left < transfer->timeout())
            curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(left));
    }
    CURLMcode mc = curl_multi_add_handle(multi_, easy);
    if (mc != CURLM_OK) {
        drop_unstarted(*transfer);
        report(task, Attempt::retryable("curlm:" + std::to_string(static_cast<int>(mc)),
                                        curl_multi_strerror(mc)));
        return;
    }
    in_flight_[easy] = InFlight{std::move(task), std::move(transfer)};
}

// A transfer the worker will not run (or stops running) still ends through
// finish(), so that it releases what it holds for others (a token fetch in
// progress); its outcome is not the attempt's.
void Worker::drop_unstarted(Transfer& transfer) {
    try {
        (void)transfer.finish(CURLE_ABORTED_BY_CALLBACK);
    } catch (const std::exception& e) {
        NLOG(warning, "", "dropping a transfer: " << log::clip(e.what()));
    }
}

void Worker::resume_parked() {
    std::deque<Task> waiting;
    waiting.swap(parked_);
    for (auto& p : waiting) {
        if (p.job.deadline > 0 && util::now_ms() > p.job.deadline - kResultMargin) {
            report(p, Attempt::retryable("lease", "the lease ran out while waiting"));
            continue;
        }
        Attempt refusal;
        Adapter* adapter = adapter_for(p.job.provider, refusal);
        if (!adapter) {
            report(p, refusal);
            continue;
        }
        channels::Started next = start_attempt(*adapter, p.job);
        // A wait with nothing running that could end it would never end.
        if (in_flight_.empty() && std::holds_alternative<channels::Wait>(next))
            next = Attempt::retryable("internal", "waited for a request that is not running");
        go_on(std::move(p), std::move(next));
    }
}

void Worker::report(const Task& task, const Attempt& a) {
    const wire::Job& job = task.job;
    last_words::forget(job);
    wire::Result result = channels::result_of(job, a);
    result.took =
        util::steady_ms() - task.started;  // the router's figure of the vendor's round trip
    links_[task.link]->send(wire::encode(result));
    const wire::Result& r = result;  // const, so that quoted() below is ours, not std::quoted
    const Millis took = r.took;
    std::ostringstream extra;
    if (!a.provider_message_id.empty()) extra << " provider_message_id=" << a.provider_message_id;
    if (a.retry_after) extra << " retry_after=" << util::format_duration(a.retry_after);
    if (!r.detail.empty()) extra << " " << r.detail;
    if (!r.message.empty()) extra << " message=" << quoted(r.message);
    if (a.outcome == wire::Outcome::sent) {
        NLOG(info, job.notification_id,
             "delivery=" << job.delivery_id << " provider=" << job.provider
                         << " outcome=sent code=" << (a.code.empty() ? "-" : a.code)
                         << " attempt=" << job.attempt << " ms=" << took << extra.str());
    } else {
        NLOG(warning, job.notification_id,
             "delivery=" << job.delivery_id << " provider=" << job.provider
                         << " outcome=" << wire::to_string(a.outcome)
                         << " code=" << (a.code.empty() ? "-" : a.code)
                         << " attempt=" << job.attempt << " ms=" << took << extra.str());
    }
}

// Sends what waits for each router and takes every frame waiting from it.
void Worker::pump_links() {
    for (std::size_t i = 0; i < links_.size(); ++i)
        links_[i]->pump([&](const std::string& frame) {
            try {
                on_frame(i, frame);
            } catch (const std::exception& e) {
                NLOG(error, "", "frame not handled: " << log::clip(e.what()));
            }
        });
}

bool Worker::outboxes_empty() const {
    for (const auto& link : links_)
        if (!link->outbox_empty()) return false;
    return true;
}

void Worker::pump_curl() {
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    bool ended = false;
    while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
        if (m->msg != CURLMSG_DONE) continue;
        CURL* easy = m->easy_handle;
        CURLcode result = m->data.result;
        curl_multi_remove_handle(multi_, easy);
        auto it = in_flight_.find(easy);
        if (it == in_flight_.end()) continue;
        InFlight flight = std::move(it->second);
        in_flight_.erase(it);
        channels::Started next;
        try {
            next = flight.transfer->finish(result);
        } catch (const std::exception& e) {
            next = Attempt::retryable("internal", e.what());
        }
        flight.transfer.reset();
        go_on(std::move(flight.task), std::move(next));
        ended = true;
    }
    if (!parked_.empty() && (ended || in_flight_.empty())) resume_parked();
}

void Worker::on_signals() {
    int n = take_stop_signals(signal_fd_);
    if (n <= 0) return;
    if (!draining_) {
        begin_drain();
        --n;
    }
    if (n > 0 && (!in_flight_.empty() || !parked_.empty())) abandon_transfers();
}

void Worker::begin_drain() {
    draining_ = true;
    for (auto& link : links_) link->send(wire::encode_bye(name_));
    sd_notify(0, "STOPPING=1");
    NLOG(info, "", "draining worker=" << name_ << " in_flight=" << in_flight_.size());
}

void Worker::abandon_transfers() {
    NLOG(warning, "", "abandoning in_flight=" << in_flight_.size());
    for (auto& [easy, flight] : in_flight_) {
        curl_multi_remove_handle(multi_, easy);
        drop_unstarted(*flight.transfer);
        report(flight.task, Attempt::retryable("shutting_down", "worker shutting down"));
    }
    in_flight_.clear();
    for (auto& p : parked_) report(p, Attempt::retryable("shutting_down", "worker shutting down"));
    parked_.clear();
}

void Worker::heartbeat() {
    Millis now = util::steady_ms();
    if (draining_ || now < next_heartbeat_) return;
    next_heartbeat_ = now + heartbeat_every_;
    const std::string beat = wire::encode(wire::Ready{name_, 0, config_.worker.channels});
    for (auto& link : links_) link->offer(beat);
}

int Worker::poll_timeout() const {
    Millis wait = kMaxPollMs;
    if (!draining_) wait = std::min(wait, std::max<Millis>(0, next_heartbeat_ - util::steady_ms()));
    if (!outboxes_empty()) wait = std::min(wait, kOutboxRetryMs);
    return static_cast<int>(wait);
}

std::vector<int> Worker::credit_shares() const {
    const long total = std::min<long>(config_.worker.concurrency, 1 << 20);
    const long n = static_cast<long>(config_.worker.routers.size());
    std::vector<int> shares;
    for (long i = 0; i < n; ++i) shares.push_back(static_cast<int>(total / n + (i < total % n)));
    return shares;
}

Status Worker::open_links() {
    auto curve = curve_client(config_.worker);
    if (!curve) return curve.error();
    const auto& routers = config_.worker.routers;
    const auto& keys = config_.worker.router_public_keys;
    const std::vector<int> shares = credit_shares();
    for (std::size_t i = 0; i < routers.size(); ++i) {
        const std::string key = keys.empty() ? std::string() : keys[keys.size() == 1 ? 0 : i];
        auto link =
            RouterLink::open(context_, i, routers[i], shares[i], *curve ? &**curve : nullptr, key);
        if (!link) return link.error();
        links_.push_back(std::move(*link));
    }
    return ok();
}

int Worker::run() {
    if (!multi_) {
        NLOG(error, "", "cannot create a curl multi handle");
        return 70;
    }
    heartbeat_every_ = config_.worker.heartbeat > 0 ? config_.worker.heartbeat : 1000;
    adapter_options_.default_timeout = config_.worker.timeout > 0 ? config_.worker.timeout : 30000;
    // Keep an idle connection per slot: curl's default cache follows the number of
    // transfers running, so a dip in load would close connections the next burst needs.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                      static_cast<long>(std::min<long>(config_.worker.concurrency, 1 << 16)));
    // HTTP/2 vendors (APNs) take many requests at once on one connection; curl's
    // own cap is 100 streams, below what they allow (the server's SETTINGS still bound it).
    curl_multi_setopt(multi_, CURLMOPT_MAX_CONCURRENT_STREAMS, 1000L);
    build_adapters();
    if (auto opened = open_links(); !opened) {
        NLOG(error, "", opened.error().message);
        return exit_code(opened.error().kind);
    }
    // The descriptors polled: each router's socket and handshake monitor, the signals.
    std::vector<curl_waitfd> extra;
    std::vector<std::string> credits;
    for (auto& link : links_) {
        extra.push_back({link->socket_fd(), CURL_WAIT_POLLIN, 0});
        extra.push_back({link->monitor_fd(), CURL_WAIT_POLLIN, 0});
        link->send(wire::encode(wire::Ready{name_, link->credit(), config_.worker.channels}));
        credits.push_back(std::to_string(link->credit()));
    }
    if (signal_fd_ >= 0) extra.push_back({signal_fd_, CURL_WAIT_POLLIN, 0});
    next_heartbeat_ = util::steady_ms() + heartbeat_every_;
    sd_notify(0, "READY=1");
    NLOG(info, "",
         "started worker=" << name_ << " router=" << util::join(config_.worker.routers, ",")
                           << " curve=" << (config_.worker.curve_secret_key.empty() ? "off" : "on")
                           << " credit=" << util::join(credits, ",")
                           << " providers=" << adapters_.size() << " channels="
                           << (config_.worker.channels.empty()
                                   ? std::string("*")
                                   : util::join(config_.worker.channels, ",")));
    Millis drained_at = 0;
    for (;;) {
        on_signals();
        for (auto& link : links_) link->take_events();
        pump_links();
        pump_curl();
        pump_links();
        heartbeat();
        if (draining_ && in_flight_.empty() && parked_.empty()) {
            if (outboxes_empty()) break;
            Millis now = util::steady_ms();
            if (!drained_at) drained_at = now;
            if (now - drained_at > kFlushOnExitMs) {
                for (auto& link : links_)
                    if (!link->outbox_empty())
                        NLOG(warning, "",
                             "router not taking results; dropped=" << link->outbox_size()
                                                                   << " router="
                                                                   << log::clip(link->endpoint()));
                break;
            }
        }
        int timeout = poll_timeout();
        for (auto& link : links_)
            if (link->readable()) timeout = 0;
        for (auto& fd : extra) fd.revents = 0;
        CURLMcode mc = curl_multi_poll(multi_, extra.data(), static_cast<unsigned>(extra.size()),
                                       timeout, nullptr);
        if (mc != CURLM_OK) {
            NLOG(error, "", "curl_multi_poll: " << curl_multi_strerror(mc));
            return 70;
        }
    }
    NLOG(info, "", "stopped worker=" << name_);
    return 0;
}

}  // namespace

int run(const Config& config, const std::string& name, int signal_fd) {
    Worker worker(config, name, signal_fd);
    return worker.run();
}

}  // namespace notify::worker
