// metrics.cpp - ingest's figures in the Prometheus text format.
#include "metrics.hpp"

namespace notify::ingest {

void Metrics::answered_send(Clock::time_point since) {
    accept_seconds_.observe(std::chrono::duration<double>(Clock::now() - since).count());
}

void Metrics::commit(std::uint64_t batch_size, double seconds) {
    batch_sum_ += batch_size;
    ++batch_count_;
    commit_seconds_.observe(seconds);
}

void Metrics::render(util::prometheus::Text& o) const {
    o.family("notify_ingest_accepted_total", "counter", "Notifications accepted and committed.");
    o.sample("notify_ingest_accepted_total", {}, accepted_);
    o.family("notify_ingest_rejected_total", "counter",
             "Notifications or requests refused, by error code.");
    for (const auto& [code, n] : rejected_)
        o.sample("notify_ingest_rejected_total", {{"code", code}}, n);
    o.family("notify_http_requests_total", "counter", "HTTP requests answered, by status.");
    for (const auto& [status, n] : http_)
        o.sample("notify_http_requests_total", {{"status", std::to_string(status)}}, n);
    o.family("notify_zmq_requests_total", "counter", "ZeroMQ requests answered, by status.");
    for (const auto& [status, n] : zmq_)
        o.sample("notify_zmq_requests_total", {{"status", std::to_string(status)}}, n);
    o.family("notify_ingest_accept_seconds", "histogram",
             "Time from a send's arrival to its answer after the commit (a batch counts once).");
    o.histogram("notify_ingest_accept_seconds", {}, accept_seconds_);
    o.family("notify_ingest_commit_batch_size", "summary", "Notifications per group commit.");
    o.sample("notify_ingest_commit_batch_size_sum", {}, batch_sum_);
    o.sample("notify_ingest_commit_batch_size_count", {}, batch_count_);
    o.family("notify_ingest_commit_seconds", "histogram", "Time of one group commit.");
    o.histogram("notify_ingest_commit_seconds", {}, commit_seconds_);
    o.family("notify_ingest_pending", "gauge", "Notifications waiting for their commit.");
    o.sample("notify_ingest_pending", {}, pending_);
    o.family("notify_http_connections_open", "gauge", "HTTP connections open now.");
    o.sample("notify_http_connections_open", {}, http_open_);
    o.family("notify_ingest_answers_held", "gauge",
             "Answers held until a notification ends (?wait=).");
    o.sample("notify_ingest_answers_held", {}, answers_held_);
    o.family("notify_inbox_streams_open", "gauge", "Inbox event streams open now.");
    o.sample("notify_inbox_streams_open", {}, inbox_streams_);
    o.family("notify_inbox_stream_events_total", "counter",
             "Inbox events written to open streams (one per stream).");
    o.sample("notify_inbox_stream_events_total", {}, inbox_events_sent_);
    o.family("notify_http_accept_failures_total", "counter",
             "Failed accept() calls on the HTTP listener, by error.");
    for (const auto& [error, n] : accept_failures_)
        o.sample("notify_http_accept_failures_total", {{"error", error}}, n);
}

}  // namespace notify::ingest
