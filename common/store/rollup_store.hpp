// rollup_store.hpp - the rollups in the store (table `rollup_buckets`, a
// packed row per resolution, dimension and bucket: store/rollup.hpp says what
// they count, store/rollup_bucket.hpp how) and the marks that say what they
// include:
//   rollup.delivery_seq  deliveries up to it are counted as accepted;
//   rollup.event_seq     events up to it are counted (those reports count);
//   rollup.generation    the rows reports read; a rebuild writes the next one
//                        and then moves the mark;
//   rollup.pairs_since   where the rows of pairs of dimensions begin to count
//                        everything, for rollups counted before they were
//                        kept (absent: from the start; a rebuild removes it).
// The router folds as it goes and writes a batch with the marks every second
// (in the transaction of its transitions); after a restart or a rebuild it
// replays from the marks what they do not cover, so each thing is counted once.
//
// write, marks and write_marks run inside a transaction of the caller and
// throw StoreFailure; replay, rebuild and the reads are calls of their own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/rollup.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace notify::store {

struct RollupMarks {
    std::int64_t delivery_seq = 0;
    std::int64_t event_seq = 0;
    std::int64_t generation = 1;
};

// A batch's rows as RollupBatch::each_bucket packs them, kept to be written
// later (on another connection: the router's commit thread).
struct PackedRollupRow {
    Resolution resolution;
    std::string dimension;
    Millis bucket;
    std::string data;
};
using PackedRollupRows = std::vector<PackedRollupRow>;
// Appends `batch`'s rows to `out`.
void pack(const RollupBatch& batch, PackedRollupRows& out);

class RollupStore {
  public:
    explicit RollupStore(Store& store);
    ~RollupStore();

    // --- inside the caller's transaction
    // Whether marks were ever written (a router counted, or a rebuild ran).
    bool has_marks();
    RollupMarks marks();
    void write_marks(const RollupMarks& m);
    // Adds the batch's figures to the rows of `generation`.
    void write(const RollupBatch& batch, std::int64_t generation);
    void write(const PackedRollupRows& rows, std::int64_t generation);
    // rollup.pairs_since: 0, or the first minute the rows of pairs count whole.
    Millis pairs_since();
    // The highest delivery and event seq stored now.
    RollupMarks latest();

    // Folds into `batch` what lies after `from` up to `to`: deliveries as
    // accepted, then counted events. `spill` is called whenever the batch
    // holds many rows (it writes and clears them).
    void replay(const RollupMarks& from, const RollupMarks& to, RollupBatch& batch,
                const std::function<void(RollupBatch&)>& spill);
    // Counts everything again from the deliveries and the event log into the
    // next generation, then switches reports to it. Returns the new marks.
    Expected<RollupMarks> rebuild();

    // --- reports
    // The packed rows (store/rollup_bucket.hpp) of `generation` at resolution
    // `r` of `dimension` ("" for the series) with from <= bucket < to, in bucket
    // order. The data is valid during the call only.
    Status read_buckets(std::int64_t generation, Resolution r, const std::string& dimension,
                        Millis from, Millis to,
                        const std::function<void(Millis bucket, std::string_view data)>& each);

  private:
    void put(std::int64_t generation, Resolution r, const std::string& dimension, Millis bucket,
             std::string_view data);

    struct Statements;
    Store& store_;
    std::unique_ptr<Statements> st_;
};

}  // namespace notify::store
