// histogram.hpp - counts of non-negative integers (bytes, milliseconds) in
// log-linear buckets, mergeable, so that percentiles of any sum of histograms
// can be read without keeping the values.
//
// Values below 16 have a bucket each; above, every power of two is split into
// 8 buckets, so a percentile read as its bucket's middle is within 6.25% of
// the true value. A histogram is stored packed (util/packed.hpp): the number of
// buckets in use, then for each, in bucket order, its distance from the one
// before (from -1 for the first) and its count.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/packed.hpp"

namespace notify::util {

class Histogram {
  public:
    void add(std::int64_t value, std::int64_t count = 1);
    void merge(const Histogram& other);
    std::int64_t count() const { return total_; }
    bool empty() const { return total_ == 0; }
    // The value at quantile `q` (0 < q <= 1): the middle of the bucket that holds
    // it; 0 when empty.
    std::int64_t quantile(double q) const;
    // The values at several quantiles, in ascending order, in one pass.
    void quantiles(std::span<const double> qs, std::span<std::int64_t> out) const;

    void clear();

    void pack(std::string& out) const;
    // Reads a packed histogram in place of this one's values; false, and
    // empty, when what is there is not one.
    bool unpack(PackedReader& in);

    // The bucket that holds `value`, and the values a bucket holds.
    static int bucket_of(std::int64_t value);
    static std::int64_t bucket_low(int bucket);
    static std::int64_t bucket_high(int bucket);  // inclusive

    bool operator==(const Histogram& o) const { return counts_ == o.counts_; }

    // The buckets in use, in order, with their counts.
    const std::vector<std::pair<int, std::int64_t>>& buckets() const { return counts_; }
    static constexpr int kBuckets = 16 + (62 - 4) * 8 + 8;

  private:
    friend class HistogramSum;
    std::vector<std::pair<int, std::int64_t>> counts_;  // (bucket, count), by bucket
    std::int64_t total_ = 0;
};

// A sum of many histograms, a count per bucket: adding one walks only its
// buckets in use, where merging into a Histogram walks both.
class HistogramSum {
  public:
    HistogramSum() : counts_(Histogram::kBuckets) {}
    void add(const Histogram& h) {
        for (const auto& [bucket, n] : h.buckets()) {
            std::int64_t& count = counts_[static_cast<std::size_t>(bucket)];
            if (count == 0 && n != 0) used_.push_back(bucket);
            count += n;
        }
    }
    bool empty() const { return used_.empty(); }
    // The sum into `out` (its storage reused), leaving this one empty.
    void take(Histogram& out);

  private:
    std::vector<std::int64_t> counts_;
    std::vector<int> used_;  // the buckets counted in, in no order
};

}  // namespace notify::util
