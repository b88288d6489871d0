// rollup_bucket.hpp - one row of the rollups: everything counted in one minute,
// hour or local day by one dimension (or by status alone, the series), packed
// (util/packed.hpp) as cells in order of value, status and reason. A cell is
//   head     varint: status * 4, + 1 when a value follows (else the value is
//            the cell before's), + 2 when a reason follows (else "")
//   value, reason   byte strings, when the head says so
//   flags    varint: + 1 when figures follow, + 2 when a peak follows
//   count    varint
//   figures  size sum (signed), size histogram, latency sum (signed), latency
//            histogram (util/histogram.hpp)
//   peak     folds in the busiest second (varint) and that second (signed)
// A month by minute is 43,200 such rows of one dimension, each read in place
// (BucketReader) without a string made or a map touched per cell.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/rollup.hpp"
#include "util/packed.hpp"

namespace notify::store {

// One cell: the figures of one value of the dimension ("" in the series) and
// one status, and for failed, retry and suppressed one reason.
struct Cell {
    std::string_view value;
    std::size_t status = 0;  // an index in report_statuses()
    std::string_view reason;
    Figures figures;
    Peak peak;  // in the series only
    // Whether this cell's value differs from the one before it (a reader's).
    bool new_value = true;
};

// Reads a packed bucket cell by cell. The views stay valid while the data does.
class BucketReader {
  public:
    explicit BucketReader(std::string_view data) : in_(data) {}
    // The next cell into `c` (its histograms' storage reused); false at the
    // end, or at data that does not read (then ok() is false).
    bool next(Cell& c);
    // The next cell's value, status and reason into `c`, and the packed rest
    // of it (its body: flags, count, figures, peak) into `body`, unread but
    // for where it ends; read_body() reads it.
    bool next_raw(Cell& c, std::string_view& body);
    bool ok() const { return ok_; }

  private:
    bool head(Cell& c);
    util::PackedReader in_;
    std::string_view value_;
    bool ok_ = true;
};

// A cell's body as next_raw() gave it, into `c`'s count, figures and peak;
// false when it does not read.
bool read_body(std::string_view body, Cell& c);

// Writes cells in order of value, status and reason, each once.
class BucketWriter {
  public:
    void add(const Cell& c) { add(c.value, c.status, c.reason, c.figures, c.peak); }
    void add(std::string_view value, std::size_t status, std::string_view reason,
             const Figures& figures, const Peak& peak);
    // A cell whose body is packed already (BucketReader::next_raw).
    void add_raw(std::string_view value, std::size_t status, std::string_view reason,
                 std::string_view body);
    bool empty() const { return out_.empty(); }
    const std::string& data() const { return out_; }

  private:
    void head(std::string_view value, std::size_t status, std::string_view reason);
    std::string out_;
    std::string value_;
};

// The two packings of one bucket as one: cells of the same value, status and
// reason added up. nullopt when either does not read.
std::optional<std::string> merge_buckets(std::string_view a, std::string_view b);

}  // namespace notify::store
