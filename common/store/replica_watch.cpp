// replica_watch.cpp - the thread that checks the replicas.
#include "store/replica_watch.hpp"

#include <algorithm>

#include "util/log.hpp"
#include "util/time.hpp"

namespace notify::store {

ReplicaWatch::ReplicaWatch(Replicas replicas)
    : replicas_(std::move(replicas)),
      watched_(replicas_.each.size()),
      fit_(new std::atomic<bool>[replicas_.each.size()]) {
    for (std::size_t i = 0; i < replicas_.each.size(); ++i) fit_[i] = false;
}

ReplicaWatch::~ReplicaWatch() {
    stop();
}

void ReplicaWatch::start() {
    if (thread_.joinable() || watched_.empty()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void ReplicaWatch::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool ReplicaWatch::fit(std::size_t i) const {
    return i < watched_.size() && fit_[i].load(std::memory_order_acquire);
}

bool ReplicaWatch::none_fit() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (watched_.empty()) return false;
    for (std::size_t i = 0; i < watched_.size(); ++i)
        if (!watched_[i].checked || fit_[i]) return false;
    return true;
}

void ReplicaWatch::failed(std::size_t i, const Error& why) {
    if (i >= watched_.size()) return;
    record(i, why, util::steady_ms());
}

Status ReplicaWatch::check(std::size_t i) {
    Watched& w = watched_[i];
    if (!w.store) {
        auto opened = Store::open_replica(replicas_.each[i].target, replicas_.options);
        if (!opened) return opened.error();
        w.store = std::move(*opened);
    }
    auto verdict = current_enough(*w.store, replicas_.max_lag);
    // A connection that failed is made anew at the next check.
    if (!verdict && ReadStores::store_failed(verdict.error()) &&
        verdict.error().code != "replica_stopped" && verdict.error().code != "replica_behind")
        w.store.reset();
    return verdict;
}

void ReplicaWatch::record(std::size_t i, const Status& verdict, Millis now) {
    std::lock_guard<std::mutex> lock(mu_);
    Watched& w = watched_[i];
    const std::string& url = replicas_.each[i].url;
    const bool was = fit_[i].load();
    if (verdict) {
        if (!was) NLOG(info, "", "store.replicas: reading '" << url << "'");
        w.why.clear();
        w.next_check = now + kRecheck;
    } else {
        // Logged when the kind of reason changes, not at every retry.
        if (was || w.why != verdict.error().code || !w.checked)
            NLOG(warning, "",
                 "store.replicas: not reading '"
                     << url << "' (the leader reads instead): " << verdict.error().message);
        w.why = verdict.error().code;
        w.next_check = now + kRetry;
    }
    w.checked = true;
    fit_[i].store(static_cast<bool>(verdict), std::memory_order_release);
}

void ReplicaWatch::check_due() {
    for (std::size_t i = 0; i < watched_.size(); ++i) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (stopping_) return;  // a stop waits for one check at most
            if (util::steady_ms() < watched_[i].next_check) continue;
        }
        const Status verdict = check(i);
        const Millis now = util::steady_ms();  // the next check counts from after the wait
        {
            // A reader that found it failing while it was checked has the last word.
            std::lock_guard<std::mutex> lock(mu_);
            if (verdict && now < watched_[i].next_check) continue;
        }
        record(i, verdict, now);
    }
}

void ReplicaWatch::run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
        lock.unlock();
        check_due();
        lock.lock();
        Millis next = util::steady_ms() + kRetry;
        for (const Watched& w : watched_) next = std::min(next, w.next_check);
        const Millis wait = std::max<Millis>(next - util::steady_ms(), 10);
        wake_.wait_for(lock, std::chrono::milliseconds(wait), [this] { return stopping_; });
    }
}

}  // namespace notify::store
