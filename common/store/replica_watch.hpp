// replica_watch.hpp - whether each replica of store.replicas is fit to be read
// now, known by a thread of its own, so that no read and no /healthz waits for
// a replica's check.
//
// The thread keeps a connection to each replica (Store::open_replica: a
// replica is never migrated) and checks it once every kRecheck while it is fit
// and every kRetry while it is set aside: it is fit while it answers, has this
// build's schema, and SHOW REPLICA STATUS puts it no more than
// store.max_replica_lag behind its source (current_enough). Each change is
// logged once: "reading", or "not reading ... (the leader reads instead)"
// with why. A reader whose read failed on a replica says so (failed): it is
// set aside at once, until its next check. Used by any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/read_stores.hpp"

namespace notify::store {

class ReplicaWatch {
  public:
    static constexpr Millis kRecheck = 1000;
    static constexpr Millis kRetry = 5000;

    explicit ReplicaWatch(Replicas replicas);
    ~ReplicaWatch();  // stop()
    ReplicaWatch(const ReplicaWatch&) = delete;
    ReplicaWatch& operator=(const ReplicaWatch&) = delete;

    // Checks on the thread from now on, the first at once.
    void start();
    void stop();
    // The checks that are due, on the calling thread (not while the thread runs).
    void check_due();

    const Replicas& replicas() const { return replicas_; }
    // Whether replica `i` was fit at its last check (not before the first).
    bool fit(std::size_t i) const;
    // Replicas are configured, each was checked, and none is fit.
    bool none_fit() const;
    // A read on replica `i` failed for the store's sake: set aside until its
    // next check, kRetry from now.
    void failed(std::size_t i, const Error& why);

  private:
    struct Watched {
        std::unique_ptr<Store> store;  // the thread's connection (thread only)
        Millis next_check = 0;         // util::steady_ms; under mu_
        bool checked = false;          // under mu_
        std::string why;               // the code of why it is set aside, as last logged; under mu_
    };
    void run();
    // Checks replica `i` now; the verdict, and why not.
    Status check(std::size_t i);
    // Records the verdict on replica `i` (logged when it changes).
    void record(std::size_t i, const Status& verdict, Millis now);

    Replicas replicas_;
    std::vector<Watched> watched_;
    std::unique_ptr<std::atomic<bool>[]> fit_;
    mutable std::mutex mu_;
    std::condition_variable wake_;
    bool stopping_ = false;  // under mu_
    std::thread thread_;
};

}  // namespace notify::store
