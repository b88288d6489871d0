// transition_log.cpp - batching the router's writes; see transition_log.hpp.
#include "transition_log.hpp"

namespace notify::router {

TransitionLog::TransitionLog(store::FanoutStore& store, store::InboxStore& inbox)
    : store_(store), inbox_(inbox) {}

TransitionLog::~TransitionLog() {
    if (committing()) thread_->wait();
}

void TransitionLog::commit_on(CommitThread& thread) {
    thread_store_ = std::make_unique<store::FanoutStore>(thread.store());
    thread_inbox_ = std::make_unique<store::InboxStore>(thread.store().handle());
    thread_ = &thread;
}

void TransitionLog::add(store::Transition t) {
    auto [it, first] = row_writer_.try_emplace(t.delivery_id, pending_.transitions.size());
    if (!first) {
        pending_.transitions[it->second].update_row = false;
        it->second = pending_.transitions.size();
    }
    pending_.transitions.push_back(std::move(t));
}

Status TransitionLog::commit(store::FanoutStore& store, store::InboxStore& inbox, const Batch& b,
                             const store::GateMarkScope& scope, const std::function<void()>& also) {
    if (b.empty() && !also) return ok();
    return store.apply(b.transitions, b.gated_seq, scope, [&] {
        for (const auto& item : b.inbox_items) inbox.add(item);
        if (also) also();
    });
}

Status TransitionLog::flush(const std::function<void()>& also) {
    auto st = commit(store_, inbox_, pending_, scope_, also);
    if (!st) return st;
    pending_ = Batch{};
    row_writer_.clear();
    return ok();
}

bool TransitionLog::start_commit(std::function<void()> also) {
    if (!thread_ || thread_->busy() || (pending_.empty() && !also)) return false;
    committing_ = std::move(pending_);
    committing_size_ = committing_.size();
    pending_ = Batch{};
    row_writer_.clear();
    thread_->start([this, scope = scope_, also = std::move(also)] {
        return commit(*thread_store_, *thread_inbox_, committing_, scope, also);
    });
    return true;
}

std::optional<CommitThread::Outcome> TransitionLog::finish_commit(bool wait) {
    if (!thread_) return std::nullopt;
    auto outcome = wait ? thread_->wait() : thread_->finished();
    if (!outcome) return outcome;
    if (!outcome->status) put_back();
    committing_ = Batch{};
    committing_size_ = 0;
    return outcome;
}

void TransitionLog::put_back() {
    Batch later = std::move(pending_);
    pending_ = Batch{};
    row_writer_.clear();
    for (auto& t : committing_.transitions) add(std::move(t));
    for (auto& t : later.transitions) add(std::move(t));
    pending_.inbox_items = std::move(committing_.inbox_items);
    for (auto& item : later.inbox_items) pending_.inbox_items.push_back(std::move(item));
    pending_.gated_seq = later.gated_seq ? later.gated_seq : committing_.gated_seq;
}

}  // namespace notify::router
