// checkpointer.hpp - copies the write-ahead log into the store's file on a
// thread of its own, so that the connections that answer requests never do
// (they are opened with Options::checkpoints off).
//
// Every kInterval it runs a PASSIVE checkpoint on its own connection: it copies
// what no reader still needs and waits for nobody, writers included; the log
// starts over once a checkpoint has copied it all. Under synchronous FULL the
// file's fsync happens here, not in a commit that a client is waiting for.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "store/store.hpp"

namespace notify::store {

struct CheckpointStep {
    int log_frames = 0;     // frames in the log
    int copied_frames = 0;  // of them, in the file now
    bool ok = true;         // false: the store refused (logged by the caller)
};

class Checkpointer {
  public:
    static constexpr std::chrono::milliseconds kInterval{100};

    // `writable` (when given) says whether the store takes writes now. While it
    // does not (a full disk, a moved file), no checkpoint runs: the store stays
    // as the failing commits left it, as it did when only commits checkpointed,
    // until the writer finds it writable again.
    explicit Checkpointer(std::unique_ptr<Store> store, std::function<bool()> writable = {});
    ~Checkpointer();  // stops the thread
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Starts checkpointing every kInterval.
    void start();
    void stop();
    // One checkpoint, now, on the calling thread (not while the thread runs).
    CheckpointStep step();

  private:
    void run();

    std::unique_ptr<Store> store_;
    std::function<bool()> writable_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace notify::store
