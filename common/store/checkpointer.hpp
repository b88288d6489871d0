// checkpointer.hpp - copies the write-ahead log into the store's file on a
// thread of its own, so that the connections that answer requests never do
// (they are opened with Options::checkpoints off).
//
// When the log has grown past kLogPages (SQLite's own threshold for its
// automatic checkpoint), as the writer's commits report it (LogLength), it
// runs a PASSIVE checkpoint on its own connection within kInterval: that copies
// what no reader still needs and waits for nobody, writers included; the log
// starts over once a checkpoint has copied it all. Under synchronous FULL the
// file's fsync happens here, not in a commit that a client is waiting for. A
// small log is left alone, as SQLite leaves it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "store/store.hpp"

struct sqlite3;

namespace notify::store {

// How long the write-ahead log is, as a writer's commits leave it.
class LogLength {
  public:
    // Hears of each of `writer`'s commits (its write-ahead log hook, which also
    // keeps SQLite's automatic checkpoint off on it). This must outlive them.
    void watch(Store& writer);
    int pages() const { return pages_.load(std::memory_order_relaxed); }
    // A checkpoint copied all of it: the next commit starts it over.
    void copied() { pages_.store(0, std::memory_order_relaxed); }

  private:
    static int on_commit(void* self, sqlite3* db, const char* name, int pages);
    std::atomic<int> pages_{0};
};

struct CheckpointStep {
    int log_frames = 0;     // frames in the log
    int copied_frames = 0;  // of them, in the file now
    bool ok = true;         // false: the store refused (logged by the caller)
};

class Checkpointer {
  public:
    static constexpr std::chrono::milliseconds kInterval{100};
    static constexpr int kLogPages = 1000;

    // `writable` (when given) says whether the store takes writes now. While it
    // does not (a full disk, a moved file, files made read-only), no checkpoint
    // runs: the store stays as the failing commits left it, as it did when only
    // commits checkpointed, and nothing writes to its files for this thread.
    Checkpointer(std::unique_ptr<Store> store, LogLength& log, std::function<bool()> writable = {});
    ~Checkpointer();  // stops the thread
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Starts checkpointing (see above).
    void start();
    void stop();
    // One checkpoint, now, on the calling thread (not while the thread runs).
    CheckpointStep step();

  private:
    void run();

    std::unique_ptr<Store> store_;
    LogLength& log_;
    std::function<bool()> writable_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace notify::store
