// histogram.hpp - counts of non-negative integers (bytes, milliseconds) in
// log-linear buckets, mergeable, so that percentiles of any sum of histograms
// can be read without keeping the values.
//
// Values below 16 have a bucket each; above, every power of two is split into
// 8 buckets, so a percentile read as its bucket's middle is within 6.25% of
// the true value. A histogram is stored as text: "INDEX:COUNT" pairs separated
// by spaces, in index order ("" when empty).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

    std::string encode() const;
    // nullopt when `text` is not a histogram's encoding.
    static std::optional<Histogram> decode(std::string_view text);

    // The bucket that holds `value`, and the values a bucket holds.
    static int bucket_of(std::int64_t value);
    static std::int64_t bucket_low(int bucket);
    static std::int64_t bucket_high(int bucket);  // inclusive

    bool operator==(const Histogram& o) const { return counts_ == o.counts_; }

  private:
    std::vector<std::pair<int, std::int64_t>> counts_;  // (bucket, count), by bucket
    std::int64_t total_ = 0;
};

}  // namespace notify::util
