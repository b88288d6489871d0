// transition_log.cpp - batching the router's writes; see transition_log.hpp.
#include "transition_log.hpp"

namespace notify::router {

void TransitionLog::add(store::Transition t) {
    auto [it, first] = row_writer_.try_emplace(t.delivery_id, pending_.size());
    if (!first) {
        pending_[it->second].update_row = false;
        it->second = pending_.size();
    }
    pending_.push_back(std::move(t));
}

Status TransitionLog::flush(const std::function<void()>& also) {
    if (pending_.empty() && inbox_items_.empty() && !gated_seq_ && !also) return ok();
    auto st = store_.apply(pending_, gated_seq_, [&] {
        for (const auto& item : inbox_items_) inbox_.add(item);
        if (also) also();
    });
    if (!st) return st;
    pending_.clear();
    inbox_items_.clear();
    row_writer_.clear();
    gated_seq_.reset();
    return ok();
}

}  // namespace notify::router
