// rollups.hpp - the router's part in reports (store/rollup.hpp). It counts
// each delivery it sees for the first time as accepted, and each event that
// reports count (sent, retry, failed, expired, suppressed, canceled) as it is
// logged; every router.rollup_interval what it counted is written with the marks in
// the transaction of a flush of the transition log, so the rollups and their
// marks never disagree with the events committed beside them.
//
// On start it counts what the marks do not cover (what the last router
// counted but did not write). When it finds the rollups rebuilt under it
// (another generation), it drops what it counted and counts again from the
// new marks, in the same transaction. The peak of a second in which the router
// restarted is the larger of its two parts; a rebuild counts it whole.
//
// A write on the router's commit thread (background_writer) takes the rows
// counted so far, packed, and counting goes on meanwhile; rows whose write
// failed are written with the next. When that write finds the rollups
// rebuilt, it writes nothing: the next write is the router's own (writer),
// which counts again from the new marks as above.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "model.hpp"
#include "notification_facts.hpp"
#include "store/rollup_store.hpp"
#include "store/store.hpp"

namespace notify::router {

class Rollups {
  public:
    Rollups(store::Store& store, Millis write_interval);
    // Counts what lies after the marks, up to delivery `up_to_seq` and the
    // latest event, and writes it. A store that has no marks yet counts from
    // now on (`notifyctl report --rebuild` counts what came before).
    Status start(std::int64_t up_to_seq);

    // A delivery seen for the first time (once per seq, in seq order).
    void accepted(const Delivery& d, const NotificationFacts& facts);
    // A transition being logged; counted when its event is one reports count.
    void logged(const store::Transition& t, const std::string& channel, Priority priority,
                const NotificationFacts& facts, Millis accepted_at);

    // Whether there is something to write and it is time.
    bool due(Millis now) const;
    bool idle() const { return batch_.empty() && unwritten_.empty(); }
    // Whether the next write must be writer()'s (the rollups were rebuilt).
    bool must_write_here() const { return rebuilt_; }
    // What to run in the flush's transaction (Store::apply's `also`).
    std::function<void()> writer();
    // Tells how that transaction ended.
    void written(bool committed, Millis now);
    // The same, for a transaction on the commit thread, with `on` (a
    // RollupStore on its connection); the batch is packed now.
    std::function<void()> background_writer(store::RollupStore& on);
    void background_written(bool committed, Millis now);

  private:
    store::Store& db_;
    store::RollupStore store_;
    store::RollupBatch batch_;
    std::int64_t delivery_seq_ = 0;  // deliveries counted as accepted up to it
    std::int64_t generation_ = 1;
    store::RollupMarks pending_marks_;   // written by the transaction under way
    store::PackedRollupRows unwritten_;  // packed for a write that has not committed
    bool rebuilt_ = false;               // a background write found the rollups rebuilt
    bool found_rebuilt_ = false;         // set by that write, on the commit thread
    Millis write_interval_;
    Millis next_write_ = 0;
};

}  // namespace notify::router
