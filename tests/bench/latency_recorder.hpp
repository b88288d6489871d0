// latency_recorder.hpp - exact latency percentiles from recorded samples.
//
// Every sample (microseconds) is kept; percentiles use the nearest-rank method
// over the sorted samples. The benchmark's runs are bounded in count, so keeping
// all of them costs a few megabytes at most and nothing is approximated.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "clock.hpp"

namespace notify::bench {

class LatencyRecorder {
  public:
    explicit LatencyRecorder(std::size_t expected = 0) { samples_.reserve(expected); }

    void record(Micros value) {
        samples_.push_back(value < 0 ? 0 : value);
        sorted_ = false;
    }
    std::size_t count() const { return samples_.size(); }
    bool empty() const { return samples_.empty(); }

    // The smallest sample with at least `p` percent of the samples at or below it;
    // 0 when nothing was recorded.
    Micros percentile(double p);
    Micros max();
    double mean() const;

    // "p50 1.20 ms, p90 2.31 ms, p99 4.02 ms, max 9.80 ms (n=1000)"
    std::string summary();

  private:
    void sort();
    std::vector<Micros> samples_;
    bool sorted_ = true;
};

// 1234 -> "1.23 ms"
std::string format_ms(Micros us);

}  // namespace notify::bench
