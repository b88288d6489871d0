// fanout.hpp - expanding sends to users and groups into deliveries.
//
// Ingest stores such a send with its targets ("user:ID", "group:NAME", raw
// addresses) and no deliveries; once it is "expanding" (at once, or when an
// administrator approves it) the router writes its deliveries here, a step of
// at most bulk.expand_batch recipients at a time, one transaction per step,
// between rounds of dispatching so that a large send does not hold up the rest.
//
// Each user gets one delivery per notification, however many targets name it;
// its recipient is the user's address for the notification's channel (identity,
// else email for smtp channels, phone for SMS channels). A user without one
// gets a delivery written "suppressed" with the reason. The step carries the
// opt-outs read with its users, for the preference gate. The step's transaction
// carries the fan-out's cursor ("<target index>:<last member id>"), so a router
// that stops mid-expansion resumes where the last committed step ended. A
// fan-out canceled by an operator is dropped at once (drop); a step that finds
// its fan-out no longer expanding in the store drops it as well.
//
// Reads: bulk.expand_batch, the channels' provider types.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <unordered_set>

#include "config.hpp"
#include "partitions.hpp"
#include "store/fanout_store.hpp"

namespace notify::router {

class Expander {
  public:
    Expander(const Config& config, store::FanoutStore& store);
    // Picks up fan-outs in state "expanding" that it is not working on yet,
    // of the partitions it serves (by notification: partitions.hpp).
    void scan(const PartitionSet& serves);
    bool busy() const { return !work_.empty(); }
    std::size_t expanding() const { return work_.size(); }
    // Writes one step of the next fan-out in turn; returns the deliveries written.
    std::size_t step(Millis now);
    // Whether the last step's write was taken (a refused step is tried again; the
    // caller decides when: store_backoff.hpp).
    const Status& last_write() const { return last_write_; }
    // Stops working on a fan-out (canceled): no further step is tried.
    void drop(const std::string& notification_id);
    // Called with each step once it is committed.
    void on_written(std::function<void(const store::ExpansionStep&)> f) { written_ = std::move(f); }

  private:
    struct Work {
        store::ExpandingFanout fanout;
        store::AddressSource source = store::AddressSource::none;
        // "u:ID" and "a:ADDRESS" already delivered to; kept only when several
        // targets could name one recipient twice (one target never does: the
        // cursor moves past each recipient once).
        std::unordered_set<std::string> seen;
        bool seen_loaded = false;
        bool first_time(const std::string& key) {
            return fanout.fanout.targets.size() < 2 || seen.insert(key).second;
        }
    };
    void add_user(Work& w, store::Recipient& r, store::ExpansionStep& out, Millis now);
    void add_address(Work& w, const std::string& address, std::vector<Delivery>& out, Millis now);
    Delivery make(const Work& w, std::size_t index, Millis now) const;

    const Config& config_;
    store::FanoutStore& store_;
    std::deque<Work> work_;
    std::unordered_set<std::string> known_;  // notification ids in work_
    Status last_write_ = ok();
    std::function<void(const store::ExpansionStep&)> written_;
};

}  // namespace notify::router
