// transition_log.hpp - the router's writes to the store, batched: every change
// to a delivery and its event are kept here and committed together every
// router.flush_interval (or sooner when many are waiting). A failed commit is
// kept and tried again, so no outcome is dropped. When one delivery changes
// several times before a commit (dispatched, then sent), its row is written
// once, with the last state; every event is still appended.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.hpp"

namespace notify::router {

class TransitionLog {
  public:
    explicit TransitionLog(store::Store& store) : store_(store) {}
    void add(store::Transition t);
    std::size_t pending() const { return pending_.size(); }
    // Commits what is pending; false (and kept) when the store refused.
    bool flush();

  private:
    store::Store& store_;
    std::vector<store::Transition> pending_;
    std::unordered_map<std::string, std::size_t> row_writer_;  // delivery -> its last in pending_
};

}  // namespace notify::router
