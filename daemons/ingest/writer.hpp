// writer.hpp - the group-commit writer: one thread that owns its own Store.
//
// The loop thread submits validated requests; the writer takes everything that
// is pending (whole requests, up to ingest.batch_max notifications), commits it
// in one transaction with commit_group(), and posts each request's result back
// to the loop thread through the Mailbox, so replies are sent only after the
// commit. While one commit runs the next group gathers, which is what shares the
// cost of a durable commit among many requests. After each commit that stored
// something it sends {"op":"nudge"} to the router.control of every router
// delivering, naming the queued high-priority deliveries it stored (a DEALER
// per router, never blocking: a lost nudge only delays the router until its
// next sweep of the store).
//
// Health: after each commit the writer is healthy when it succeeded. Every
// second without a commit it checks the store by itself, so that /healthz tells
// the truth without waiting for traffic: while healthy, that the file is still
// the one at its path (moved_file.hpp); while not, with a small write (a probe),
// and is healthy again as soon as one succeeds. Failures are logged once with a
// count (util/repeated_failure.hpp), not once per group.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "commit.hpp"
#include "mailbox.hpp"
#include "util/repeated_failure.hpp"

namespace notify::ingest {

class GroupWriter : public Committer {
  public:
    using OnCommit = std::function<void(const CommitStats&)>;

    // `zmq_context` is a libzmq context; `nudge_endpoints` (ingest.router) may
    // be empty (no nudges).
    // `on_commit` runs on the loop thread before the group's results.
    GroupWriter(std::unique_ptr<store::Store> store, Mailbox& mailbox, void* zmq_context,
                std::vector<std::string> nudge_endpoints, size_t batch_max, OnCommit on_commit);
    ~GroupWriter() override;

    void submit(Submission s) override;
    bool healthy() const override { return healthy_.load(std::memory_order_relaxed); }
    // Commits what is queued, then ends the thread. Idempotent.
    void stop();

  private:
    void run();
    // Tells the router new work is stored, naming the seqs in `high`.
    void nudge(const std::vector<void*>& sockets, const std::vector<std::int64_t>& high);
    // What the writer knows of the store after a commit or a check.
    void record_health(const Status& st);
    // The check of a second without commits (see above).
    void check_store();

    std::unique_ptr<store::Store> store_;
    Mailbox& mailbox_;
    void* zmq_context_;
    std::vector<std::string> nudge_endpoints_;
    size_t batch_max_;
    OnCommit on_commit_;

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Submission> queue_;
    bool stopping_ = false;
    std::atomic<bool> healthy_{true};
    util::RepeatedFailure failures_{"store write failed"};  // the writer thread's
    std::thread thread_;
};

}  // namespace notify::ingest
