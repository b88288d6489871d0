// metrics.hpp - counters for GET /metrics in the Prometheus text format:
//   notify_ingest_accepted_total, notify_ingest_rejected_total{code},
//   notify_http_requests_total{status}, notify_zmq_requests_total{status},
//   notify_ingest_commit_batch_size (summary), notify_ingest_commit_seconds
//   (histogram), notify_ingest_pending (gauge), notify_http_connections_open
//   (gauge), notify_http_accept_failures_total{error} (accept() failed, such as
//   when file descriptors run out).
// Updated and read on the event loop thread only.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace notify::ingest {

class Metrics {
  public:
    void accepted(std::uint64_t n = 1) { accepted_ += n; }
    void rejected(const std::string& code) { ++rejected_[code]; }
    void http_request(int status) { ++http_[status]; }
    void zmq_request(int status) { ++zmq_[status]; }
    void commit(std::uint64_t batch_size, double seconds);
    void pending_add(std::int64_t delta) { pending_ += delta; }
    void http_connections_open(std::int64_t n) { http_open_ = n; }
    void accept_failed(const std::string& error) { ++accept_failures_[error]; }
    std::int64_t pending() const { return pending_; }

    std::string render() const;

  private:
    static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1,    2.5};
    std::uint64_t accepted_ = 0;
    std::map<std::string, std::uint64_t> rejected_;
    std::map<int, std::uint64_t> http_;
    std::map<int, std::uint64_t> zmq_;
    std::uint64_t batch_sum_ = 0;
    std::uint64_t batch_count_ = 0;
    std::array<std::uint64_t, kBuckets.size()> commit_buckets_{};
    std::uint64_t commit_count_ = 0;
    double commit_sum_ = 0;
    std::int64_t pending_ = 0;
    std::int64_t http_open_ = 0;
    std::map<std::string, std::uint64_t> accept_failures_;
};

}  // namespace notify::ingest
