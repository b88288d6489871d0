// latency_recorder.cpp - nearest-rank percentiles over the kept samples.
#include "latency_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace notify::bench {

void LatencyRecorder::sort() {
    if (sorted_) return;
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
}

Micros LatencyRecorder::percentile(double p) {
    if (samples_.empty()) return 0;
    sort();
    double rank = std::ceil(p / 100.0 * static_cast<double>(samples_.size()));
    std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    return samples_[std::min(index, samples_.size() - 1)];
}

Micros LatencyRecorder::max() {
    if (samples_.empty()) return 0;
    sort();
    return samples_.back();
}

double LatencyRecorder::mean() const {
    if (samples_.empty()) return 0;
    double sum = std::accumulate(samples_.begin(), samples_.end(), 0.0);
    return sum / static_cast<double>(samples_.size());
}

std::string LatencyRecorder::summary() {
    return "p50 " + format_ms(percentile(50)) + ", p90 " + format_ms(percentile(90)) + ", p99 " +
           format_ms(percentile(99)) + ", max " + format_ms(max()) +
           " (n=" + std::to_string(count()) + ")";
}

std::string format_ms(Micros us) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f ms", static_cast<double>(us) / 1000.0);
    return text;
}

}  // namespace notify::bench
