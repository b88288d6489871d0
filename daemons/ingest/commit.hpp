// commit.hpp - group commit: what ingest hands to the store, and how one group of
// requests becomes one transaction.
//
// A Submission is the validated notifications of one request. commit_group()
// takes many submissions, settles idempotency keys (each API key's own: against
// the store within a 24 h window, and within the group itself), writes the rest with one
// Store::insert_batch (with the submissions' `also`), and gives each submission
// its result. If the transaction fails for the store's state (busy, full,
// read-only, unreachable), every submission of the group fails and nothing of
// it is stored; if the store refuses what the group holds, each submission is
// committed alone, and only those refused fail.
//
// The Committer interface is the seam between the API core and the writer: the
// daemon's GroupWriter commits on its own thread; SyncCommitter commits at once
// on the caller's thread (tests and tools).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config.hpp"
#include "store/store.hpp"

namespace notify::ingest {

constexpr Millis kIdempotencyWindow = 24 * 3600 * 1000;

struct ItemResult {
    enum class Kind { stored, replayed, conflict };
    Kind kind = Kind::stored;
    std::string id;                    // the stored id, or the first notification's id
    std::vector<Delivery> deliveries;  // as stored, or the first notification's as they are now
};

struct CommitResult {
    Status status = ok();           // store_unavailable when the transaction failed
    std::vector<ItemResult> items;  // one per submitted notification, in order
};

struct Submission {
    std::vector<store::Accepted> items;
    std::function<void(CommitResult)> done;  // called once, on the loop thread
    // Writes or reads more in the group's transaction, after its notifications
    // (one-time codes: keeping a code sent, checking one): on the committing
    // thread, only when every one of `items` is stored (none replayed or in
    // conflict). A StoreFailure it throws fails the whole group. May be empty.
    std::function<void(store::Store&)> also;
};

struct CommitStats {
    size_t notifications = 0;  // submitted in the group
    size_t stored = 0;         // written (not replayed or refused)
    double seconds = 0;        // time spent in the store
    bool ok = true;
    // The seqs of the high-priority deliveries stored to go now (at most
    // wire::kNudgeHighMax), named in the nudge to the router.
    std::vector<std::int64_t> high;
};

// Commits the group in one transaction; results are in the order of `group`.
std::vector<CommitResult> commit_group(store::Store& store, std::vector<Submission>& group,
                                       Millis now, CommitStats& stats);

class Committer {
  public:
    virtual ~Committer() = default;
    virtual void submit(Submission s) = 0;
    // False while the most recent commit failed.
    virtual bool healthy() const = 0;
};

// Whether the store takes writes now: the last commit succeeded and, on
// SQLite, the file can be written (not made read-only or immutable since).
// /healthz answers by it, and checkpoints run only while it holds.
bool store_writable(const Committer& committer, const Config::Store& where);

// Commits each submission at once on the caller's thread.
class SyncCommitter : public Committer {
  public:
    explicit SyncCommitter(store::Store& store) : store_(store) {}
    void submit(Submission s) override;
    bool healthy() const override { return healthy_; }

  private:
    store::Store& store_;
    bool healthy_ = true;
};

}  // namespace notify::ingest
