// metrics.hpp - ingest's own figures for GET /metrics (the router's are asked
// for when a scrape comes: api_metrics.cpp):
//   notify_ingest_accepted_total, notify_ingest_rejected_total{code},
//   notify_http_requests_total{status}, notify_zmq_requests_total{status},
//   notify_ingest_accept_seconds (histogram: a send or batch from its arrival
//   to its answer after the commit), notify_ingest_commit_batch_size (summary),
//   notify_ingest_commit_seconds (histogram), notify_ingest_pending (gauge),
//   notify_http_connections_open (gauge), notify_ingest_answers_held (gauge: ?wait=),
//   notify_http_accept_failures_total{error}
//   (accept() failed, such as when file descriptors run out).
// Counters count since the daemon started. Updated and read on the event loop
// thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "util/prometheus.hpp"

namespace notify::ingest {

class Metrics {
  public:
    using Clock = std::chrono::steady_clock;

    void accepted(std::uint64_t n = 1) { accepted_ += n; }
    void rejected(const std::string& code) { ++rejected_[code]; }
    void http_request(int status) { ++http_[status]; }
    void zmq_request(int status) { ++zmq_[status]; }
    // A send (or batch) that arrived at `since` has been committed and is answered.
    void answered_send(Clock::time_point since);
    void commit(std::uint64_t batch_size, double seconds);
    void pending_add(std::int64_t delta) { pending_ += delta; }
    void http_connections_open(std::int64_t n) { http_open_ = n; }
    void inbox_streams_open(std::int64_t n) { inbox_streams_ = n; }
    void inbox_events_sent(std::uint64_t n) { inbox_events_sent_ += n; }
    void answers_held(std::int64_t n) { answers_held_ = n; }
    void accept_failed(const std::string& error) { ++accept_failures_[error]; }
    std::int64_t pending() const { return pending_; }

    void render(util::prometheus::Text& out) const;

  private:
    std::uint64_t accepted_ = 0;
    std::map<std::string, std::uint64_t> rejected_;
    std::map<int, std::uint64_t> http_;
    std::map<int, std::uint64_t> zmq_;
    util::prometheus::Histogram accept_seconds_{util::prometheus::kFastBuckets};
    std::uint64_t batch_sum_ = 0;
    std::uint64_t batch_count_ = 0;
    util::prometheus::Histogram commit_seconds_{util::prometheus::kFastBuckets};
    std::int64_t pending_ = 0;
    std::int64_t http_open_ = 0;
    std::int64_t inbox_streams_ = 0;
    std::uint64_t inbox_events_sent_ = 0;
    std::int64_t answers_held_ = 0;
    std::map<std::string, std::uint64_t> accept_failures_;
};

}  // namespace notify::ingest
