// transition_log.hpp - the router's writes to the store, batched: every change
// to a delivery and its event are kept here and committed together every
// router.flush_interval (or sooner when many are waiting). A failed commit is
// kept and tried again (when, store_backoff.hpp says), so no outcome is dropped. When one delivery
// changes several times before a commit (dispatched, then sent), its row is written once, with the
// last state; every event is still appended.
//
// A batch is committed either on the calling thread (flush) or, given a
// CommitThread (commit_thread.hpp), on that thread while the router goes on
// (start_commit, then finish_commit). Changes made meanwhile wait for the
// next batch; a batch whose commit failed is pending again, ahead of them.
// Until it is committed, a batch under way counts as pending: what the store
// shows does not include it yet.
//
// The preference gate's mark (the highest delivery seq it has checked) goes in
// the same commit as the suppressions it decided, so a restart checks exactly
// the deliveries whose outcome was not committed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "commit_thread.hpp"
#include "store/fanout_store.hpp"
#include "store/inbox_store.hpp"
#include "store/store.hpp"

namespace notify::router {

class TransitionLog {
  public:
    TransitionLog(store::FanoutStore& store, store::InboxStore& inbox);
    ~TransitionLog();  // waits for the commit under way
    // Lets start_commit() commit on `thread`, with stores of its own on the
    // thread's connection.
    void commit_on(CommitThread& thread);

    void add(store::Transition t);
    // An inbox item, written in the commit of its delivery's "sent".
    void add_inbox_item(store::InboxItem item) { pending_.inbox_items.push_back(std::move(item)); }
    // Commits `seq` as the gate's mark of `mark_scope` with the next flush
    // (FanoutStore::apply). The scope is told before the first commit.
    void set_gated_seq(std::int64_t seq) { pending_.gated_seq = seq; }
    void mark_scope(store::GateMarkScope scope) { scope_ = std::move(scope); }
    // What is not committed yet, the batch under way included.
    std::size_t pending() const { return pending_.size() + committing_size_; }
    bool committing() const { return thread_ && thread_->busy(); }
    // Commits what is pending, and runs `also` in the same transaction; kept
    // when the store refused, and the error returned. Not while committing().
    Status flush(const std::function<void()>& also = {});
    // Hands what is pending to the commit thread, with `also` to run in the
    // same transaction there; false when there is no thread, a commit is
    // under way or there is nothing to commit.
    bool start_commit(std::function<void()> also = {});
    // The outcome of the commit under way once it has ended (`wait`: waits
    // for it); nullopt while it goes on or when there is none.
    std::optional<CommitThread::Outcome> finish_commit(bool wait);

  private:
    struct Batch {
        std::vector<store::Transition> transitions;
        std::vector<store::InboxItem> inbox_items;
        std::optional<std::int64_t> gated_seq;
        std::size_t size() const {
            return transitions.size() + inbox_items.size() + (gated_seq ? 1 : 0);
        }
        bool empty() const { return size() == 0; }
    };
    static Status commit(store::FanoutStore& store, store::InboxStore& inbox, const Batch& b,
                         const store::GateMarkScope& scope, const std::function<void()>& also);
    // Takes the failed batch under way back, ahead of what came since.
    void put_back();

    store::FanoutStore& store_;
    store::InboxStore& inbox_;
    Batch pending_;
    store::GateMarkScope scope_;
    std::unordered_map<std::string, std::size_t> row_writer_;  // delivery -> its last in pending_
    // The commit thread and the stores its commits use.
    CommitThread* thread_ = nullptr;
    std::unique_ptr<store::FanoutStore> thread_store_;
    std::unique_ptr<store::InboxStore> thread_inbox_;
    Batch committing_;  // read by the thread while a commit is under way
    std::size_t committing_size_ = 0;
};

}  // namespace notify::router
