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
// Routers sharing the deliveries (each serving some partitions) do not count
// as they go: the one serving partition 0 counts from the store instead,
// every write interval, what every router committed after the marks (read
// in a snapshot, at most kTailRows deliveries and events at a time), and
// writes it with the new marks only if the marks are still those it read;
// the others count nothing. Write transactions take turns (SQLite's write
// lock; on MariaDB the row of notify_writer each takes first), so rows are
// committed in seq order and none is passed over.
// After a read or a write that failed, what it read is read again; the peak
// of a second split across that write may then count in part.
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
    // How this router counts (before start()): as it goes (it serves every
    // partition: the default), from the store (it serves partition 0 of
    // several routers'), or not at all.
    enum class Counting { as_it_goes, from_store, none };
    void count_by(Counting how) { counting_ = how; }
    // What a count from the store reads at most at a time, of deliveries and
    // of events each.
    static constexpr std::int64_t kTailRows = 20'000;
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
    bool idle() const {
        return counting_ != Counting::as_it_goes || (batch_.empty() && unwritten_.empty());
    }
    // Whether the next write must be writer()'s (the rollups were rebuilt,
    // or it counts from the store).
    bool must_write_here() const { return rebuilt_ || counting_ == Counting::from_store; }
    // What to run in the flush's transaction (Store::apply's `also`).
    std::function<void()> writer();
    // Tells how that transaction ended.
    void written(bool committed, Millis now);
    // The same, for a transaction on the commit thread, with `on` (a
    // RollupStore on its connection); the batch is packed now.
    std::function<void()> background_writer(store::RollupStore& on);
    void background_written(bool committed, Millis now);

  private:
    // writer() when counting from the store: reads now, writes in the transaction.
    std::function<void()> tail_writer();

    Counting counting_ = Counting::as_it_goes;
    store::RollupMarks tail_from_;  // the marks the count from the store started from
    bool tail_more_ = false;        // it stopped at kTailRows: more is there
    bool tail_stale_ = false;       // the marks had moved: nothing was written
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
