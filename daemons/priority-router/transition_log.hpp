// transition_log.hpp - the router's writes to the store, batched: every change
// to a delivery and its event are kept here and committed together every
// router.flush_interval (or sooner when many are waiting). A failed commit is
// kept and tried again (when, store_backoff.hpp says), so no outcome is dropped. When one delivery
// changes several times before a commit (dispatched, then sent), its row is written once, with the
// last state; every event is still appended.
//
// The preference gate's mark (the highest delivery seq it has checked) goes in
// the same commit as the suppressions it decided, so a restart checks exactly
// the deliveries whose outcome was not committed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/fanout_store.hpp"
#include "store/inbox_store.hpp"
#include "store/store.hpp"

namespace notify::router {

class TransitionLog {
  public:
    TransitionLog(store::FanoutStore& store, store::InboxStore& inbox)
        : store_(store), inbox_(inbox) {}
    void add(store::Transition t);
    // An inbox item, written in the commit of its delivery's "sent".
    void add_inbox_item(store::InboxItem item) { inbox_items_.push_back(std::move(item)); }
    // Commits `seq` as the gate's mark with the next flush.
    void set_gated_seq(std::int64_t seq) { gated_seq_ = seq; }
    std::size_t pending() const {
        return pending_.size() + inbox_items_.size() + (gated_seq_ ? 1 : 0);
    }
    // Commits what is pending, and runs `also` in the same transaction; kept
    // when the store refused, and the error returned.
    Status flush(const std::function<void()>& also = {});

  private:
    store::FanoutStore& store_;
    store::InboxStore& inbox_;
    std::vector<store::Transition> pending_;
    std::vector<store::InboxItem> inbox_items_;
    std::unordered_map<std::string, std::size_t> row_writer_;  // delivery -> its last in pending_
    std::optional<std::int64_t> gated_seq_;
};

}  // namespace notify::router
