// checkpointer.cpp - see checkpointer.hpp.
#include "store/checkpointer.hpp"

#include "store/sqlite_db.hpp"

#include "util/log.hpp"

namespace notify::store {

void LogLength::watch(Store& writer) {
    sqlite3_wal_hook(sqlite_handle(writer.handle()), &LogLength::on_commit, this);
}

int LogLength::on_commit(void* self, sqlite3*, const char*, int pages) {
    static_cast<LogLength*>(self)->pages_.store(pages, std::memory_order_relaxed);
    return SQLITE_OK;
}

Checkpointer::Checkpointer(std::unique_ptr<Store> store, LogLength& log,
                           std::function<bool()> writable)
    : store_(std::move(store)), log_(log), writable_(std::move(writable)) {}

Checkpointer::~Checkpointer() {
    stop();
}

void Checkpointer::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void Checkpointer::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

CheckpointStep Checkpointer::step() {
    CheckpointStep s;
    const int rc =
        sqlite3_wal_checkpoint_v2(sqlite_handle(store_->handle()), "main",
                                  SQLITE_CHECKPOINT_PASSIVE, &s.log_frames, &s.copied_frames);
    // BUSY: another connection is checkpointing (the router's commits may).
    s.ok = rc == SQLITE_OK || rc == SQLITE_BUSY;
    return s;
}

void Checkpointer::run() {
    // A store that keeps refusing is said once, and again when it recovers.
    bool failing = false;
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, kInterval, [this] { return stopping_; })) {
        if (log_.pages() < kLogPages) continue;
        if (writable_ && !writable_()) continue;
        lock.unlock();
        const CheckpointStep s = step();
        // Copied whole: the next commit starts the log over.
        if (s.ok && s.copied_frames >= s.log_frames) log_.copied();
        if (!s.ok && !failing)
            NLOG(warning, "",
                 "cannot copy the write-ahead log into the store: "
                     << sqlite3_errmsg(sqlite_handle(store_->handle()))
                     << "; it grows until this succeeds");
        if (s.ok && failing) NLOG(info, "", "the write-ahead log is copied into the store again");
        failing = !s.ok;
        lock.lock();
    }
}

}  // namespace notify::store
