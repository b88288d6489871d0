// metrics.cpp - the Prometheus text exposition of ingest's counters.
#include "metrics.hpp"

#include <cstdio>
#include <sstream>

namespace notify::ingest {

void Metrics::commit(std::uint64_t batch_size, double seconds) {
    batch_sum_ += batch_size;
    ++batch_count_;
    ++commit_count_;
    commit_sum_ += seconds;
    for (size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) ++commit_buckets_[i];
}

std::string Metrics::render() const {
    std::ostringstream o;
    auto number = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.9g", v);
        return std::string(buf);
    };
    o << "# HELP notify_ingest_accepted_total Notifications accepted and committed.\n"
         "# TYPE notify_ingest_accepted_total counter\n"
      << "notify_ingest_accepted_total " << accepted_ << "\n";
    o << "# HELP notify_ingest_rejected_total Notifications or requests refused, by error code.\n"
         "# TYPE notify_ingest_rejected_total counter\n";
    for (const auto& [code, n] : rejected_)
        o << "notify_ingest_rejected_total{code=\"" << code << "\"} " << n << "\n";
    o << "# HELP notify_http_requests_total HTTP requests answered, by status.\n"
         "# TYPE notify_http_requests_total counter\n";
    for (const auto& [status, n] : http_)
        o << "notify_http_requests_total{status=\"" << status << "\"} " << n << "\n";
    o << "# HELP notify_zmq_requests_total ZeroMQ requests answered, by status.\n"
         "# TYPE notify_zmq_requests_total counter\n";
    for (const auto& [status, n] : zmq_)
        o << "notify_zmq_requests_total{status=\"" << status << "\"} " << n << "\n";
    o << "# HELP notify_ingest_commit_batch_size Notifications per group commit.\n"
         "# TYPE notify_ingest_commit_batch_size summary\n"
      << "notify_ingest_commit_batch_size_sum " << batch_sum_ << "\n"
      << "notify_ingest_commit_batch_size_count " << batch_count_ << "\n";
    o << "# HELP notify_ingest_commit_seconds Time of one group commit.\n"
         "# TYPE notify_ingest_commit_seconds histogram\n";
    for (size_t i = 0; i < kBuckets.size(); ++i)
        o << "notify_ingest_commit_seconds_bucket{le=\"" << number(kBuckets[i]) << "\"} "
          << commit_buckets_[i] << "\n";
    o << "notify_ingest_commit_seconds_bucket{le=\"+Inf\"} " << commit_count_ << "\n"
      << "notify_ingest_commit_seconds_sum " << number(commit_sum_) << "\n"
      << "notify_ingest_commit_seconds_count " << commit_count_ << "\n";
    o << "# HELP notify_ingest_pending Notifications waiting for their commit.\n"
         "# TYPE notify_ingest_pending gauge\n"
      << "notify_ingest_pending " << pending_ << "\n";
    o << "# HELP notify_http_connections_open HTTP connections open now.\n"
         "# TYPE notify_http_connections_open gauge\n"
      << "notify_http_connections_open " << http_open_ << "\n";
    o << "# HELP notify_http_accept_failures_total Failed accept() calls on the HTTP "
         "listener, by error.\n"
         "# TYPE notify_http_accept_failures_total counter\n";
    for (const auto& [error, n] : accept_failures_)
        o << "notify_http_accept_failures_total{error=\"" << error << "\"} " << n << "\n";
    return o.str();
}

}  // namespace notify::ingest
