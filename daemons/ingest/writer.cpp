// writer.cpp - the writer thread: gather, commit once, post results, nudge.
#include "writer.hpp"

#include "router_endpoints.hpp"

#include <zmq.h>

#include <algorithm>
#include <chrono>

#include "util/log.hpp"
#include "wire.hpp"

namespace notify::ingest {

namespace {
// How long the writer may go without learning whether the store takes writes.
constexpr auto kCheckEvery = std::chrono::seconds(1);
}  // namespace

GroupWriter::GroupWriter(std::unique_ptr<store::Store> store, Mailbox& mailbox, void* zmq_context,
                         std::vector<std::string> nudge_endpoints, size_t batch_max,
                         OnCommit on_commit)
    : store_(std::move(store)),
      mailbox_(mailbox),
      zmq_context_(zmq_context),
      nudge_endpoints_(std::move(nudge_endpoints)),
      batch_max_(batch_max ? batch_max : 1),
      on_commit_(std::move(on_commit)) {
    thread_ = std::thread([this] { run(); });
}

GroupWriter::~GroupWriter() {
    stop();
}

void GroupWriter::submit(Submission s) {
    {
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(s));
    }
    cv_.notify_one();
}

void GroupWriter::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void GroupWriter::nudge(const std::vector<void*>& sockets, const std::vector<std::int64_t>& high) {
    const std::string message = wire::encode_nudge(high);
    for (void* socket : sockets) zmq_send(socket, message.data(), message.size(), ZMQ_DONTWAIT);
}

void GroupWriter::run() {
    // A socket per router: each delivering router hears of the new work (a
    // socket to several would take them in turn). Only to routers that
    // deliver; without one connected, nudges are dropped instead of queued stale.
    std::vector<void*> sockets;
    for (const std::string& endpoint :
         zmq_context_ ? nudge_endpoints_ : std::vector<std::string>()) {
        void* socket = zmq_socket(zmq_context_, ZMQ_DEALER);
        int linger = 0, hwm = 16;
        zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
        if (std::string why; !connect_routers(socket, {endpoint}, why)) {
            NLOG(warning, "",
                 "cannot connect to the router at ingest.router "
                     << why << "; the router will find new work by its sweep");
            zmq_close(socket);
            continue;
        }
        sockets.push_back(socket);
    }
    auto next_check = std::chrono::steady_clock::now() + kCheckEvery;
    while (true) {
        std::vector<Submission> group;
        {
            std::unique_lock lock(mu_);
            cv_.wait_until(lock, next_check, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                if (stopping_) break;  // and nothing left
                lock.unlock();
                check_store();
                next_check = std::chrono::steady_clock::now() + kCheckEvery;
                continue;
            }
            size_t count = 0;
            // Whole requests only; the first is taken even when it alone is larger. A
            // request without notifications (a code's verify) counts as one.
            auto weight = [](const Submission& s) { return std::max<size_t>(1, s.items.size()); };
            while (!queue_.empty() &&
                   (group.empty() || count + weight(queue_.front()) <= batch_max_)) {
                count += weight(queue_.front());
                group.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        CommitStats stats;
        auto results = commit_group(*store_, group, util::now_ms(), stats);
        // Healthy when anything committed: a request the store refused for
        // what it holds fails alone (commit.hpp).
        record_health(stats.ok ? ok() : results.front().status);
        next_check = std::chrono::steady_clock::now() + kCheckEvery;
        if (stats.ok && stats.stored > 0) nudge(sockets, stats.high);
        // One post per group: metrics first, then every reply of the group.
        auto shared_group = std::make_shared<std::vector<Submission>>(std::move(group));
        auto shared_results = std::make_shared<std::vector<CommitResult>>(std::move(results));
        mailbox_.post([this, stats, shared_group, shared_results] {
            if (on_commit_) on_commit_(stats);
            for (size_t i = 0; i < shared_group->size(); ++i)
                (*shared_group)[i].done(std::move((*shared_results)[i]));
        });
    }
    for (void* socket : sockets) zmq_close(socket);
}

void GroupWriter::record_health(const Status& st) {
    healthy_.store(static_cast<bool>(st), std::memory_order_relaxed);
    const Millis now = util::now_ms();
    if (!st) {
        if (auto line = failures_.failed(st.error().message, now)) NLOG(error, "", *line);
    } else if (auto line = failures_.recovered(now)) {
        NLOG(info, "", *line);
    }
}

void GroupWriter::check_store() {
    // A moved file takes no commit (the commit hook refuses it): the probe fails and
    // says why before a send has to find out.
    if (!healthy() || store_->file_moved()) record_health(store_->probe_write(util::now_ms()));
}

}  // namespace notify::ingest
