// commit_thread.hpp - the router's periodic commits on a thread of their own.
//
// A commit waits for the store's write lock, which ingest holds while its own
// commit reaches the disk (store.synchronous): under load that is tens of
// milliseconds, at times a few hundred. Waited for by the router's loop, it
// held up every result and dispatch behind it, high priority included. On
// this thread it holds up nothing: the loop goes on taking results, sweeping
// and dispatching, and hears of the commit's end through fd().
//
// The thread has its own connection to the store (store() is for the objects
// its jobs use, made before the first job). One job at a time: start() hands
// it over, finished() or wait() takes its outcome. A job that throws ends
// with an error, as a commit the store refused does.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "store/store.hpp"

namespace notify::router {

class CommitThread {
  public:
    struct Outcome {
        Status status;
        double seconds = 0;  // the job's time, waiting for the write lock included
    };
    using Job = std::function<Status()>;

    explicit CommitThread(std::unique_ptr<store::Store> store);
    ~CommitThread();  // waits for the job under way, then stops the thread
    CommitThread(const CommitThread&) = delete;
    CommitThread& operator=(const CommitThread&) = delete;

    store::Store& store() { return *store_; }
    // Readable once a job has ended, until its outcome is taken.
    int fd() const { return fd_; }
    bool busy() const { return busy_; }
    // Runs `job` on the thread; not while one is under way.
    void start(Job job);
    // The outcome of the job, once it has ended (nullopt: still under way, or none).
    std::optional<Outcome> finished();
    // Waits for the job under way, if any, and takes its outcome.
    std::optional<Outcome> wait();

  private:
    void run();
    Outcome take();  // with mu_ held and outcome_ set

    std::unique_ptr<store::Store> store_;
    int fd_ = -1;        // an eventfd
    bool busy_ = false;  // the caller's view: a job started and its outcome not taken
    std::mutex mu_;
    std::condition_variable cv_;
    Job job_;               // handed over, not taken up yet
    bool running_ = false;  // the thread runs a job
    std::optional<Outcome> outcome_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace notify::router
