// scenario_accept.cpp - how many notifications the ingest accepts per second:
// single POSTs and batches over HTTP keep-alive (closed loop), and single
// requests over ZeroMQ. The rest of the stack runs and delivers meanwhile.
#include "payloads.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "zmq_load.hpp"

namespace notify::bench {

namespace {

template <class T>
T or_default(T value, T fallback) {
    return value > 0 ? value : fallback;
}

void report_failures(const std::string& scenario, const LoadResult& res) {
    if (res.failed || res.unfinished)
        progress(scenario, format_count(res.failed) + " failed, " + format_count(res.unfinished) +
                               " unanswered; first failure: " + res.first_failure);
    report(scenario, "failed requests", format_count(res.failed + res.unfinished), "0",
           verdict(res.failed + res.unfinished == 0));
}

// Runs a closed-loop load and reports its rate against `target` per second, its
// latency and its failures; 1 when the ingest never answered.
int run_and_report(const std::string& name, const Options& o, const LoadSpec& spec, long target,
                   const std::string& latency_label) {
    LoadResult res = run_closed_loop(o.http, spec);
    if (res.replied == 0) {
        progress(name,
                 "no reply from the ingest at " + o.http.host + ":" + std::to_string(o.http.port));
        return 1;
    }
    double rate = res.accepted_per_second();
    report(name, "accepted/s", format_rate(rate), ">= " + format_count(target) + "/s",
           verdict(rate >= static_cast<double>(target)));
    report(name, latency_label, res.latency.summary());
    report_failures(name, res);
    return 0;
}

}  // namespace

int accept_http(const Options& o) {
    const std::string name = "accept-http";
    auto sink = start_receiver(name, o, false);
    LoadSpec spec;
    spec.path = "/v1/notifications";
    spec.body = [&](long i) { return notification_json(o.channel, "low", i); };
    spec.accepted_in = [](const HttpReply& r) { return r.status == 202 ? 1L : 0L; };
    spec.connections = or_default(o.connections, 64);
    spec.requests = or_default(o.count, 200000L);
    spec.seconds = or_default(o.seconds, 10.0);
    progress(name, "closed loop, " + std::to_string(spec.connections) + " connections, up to " +
                       format_count(spec.requests) + " requests or " +
                       std::to_string(static_cast<int>(spec.seconds)) + " s");
    return run_and_report(name, o, spec, 10000, "latency (closed loop)");
}

int accept_batch(const Options& o) {
    const std::string name = "accept-batch";
    auto sink = start_receiver(name, o, false);
    int size = o.batch_size > 0 ? o.batch_size : 100;
    LoadSpec spec;
    spec.path = "/v1/notifications/batch";
    spec.body = [&, size](long i) { return batch_json(o.channel, "low", i * size, size); };
    spec.accepted_in = [](const HttpReply& r) {
        return r.status == 202 ? std::max(0L, count_batch_accepted(r.body)) : 0L;
    };
    spec.connections = or_default(o.connections, 8);
    long notifications = or_default(o.count, 500000L);
    spec.requests = (notifications + size - 1) / size;
    spec.seconds = or_default(o.seconds, 10.0);
    progress(name, "closed loop, " + std::to_string(spec.connections) + " connections, " +
                       std::to_string(size) + " per request, up to " +
                       format_count(spec.requests * size) + " notifications");
    return run_and_report(name, o, spec, 50000, "latency per batch");
}

int accept_zmq(const Options& o) {
    const std::string name = "accept-zmq";
    auto sink = start_receiver(name, o, false);
    if (o.zmq.empty()) {
        progress(name, "no ZeroMQ endpoint given (--zmq)");
        return 1;
    }
    ZmqLoadSpec spec;
    spec.endpoint = o.zmq;
    spec.payload = zmq_request_frame(notification_json(o.channel, "low", 0));
    spec.sockets = or_default(o.connections, 4);
    spec.window = 32;
    spec.count = or_default(o.count, 200000L);
    spec.seconds = or_default(o.seconds, 10.0);
    progress(name, std::to_string(spec.sockets) + " DEALER sockets x " +
                       std::to_string(spec.window) + " outstanding, up to " +
                       format_count(spec.count) + " requests");
    ZmqLoadResult res = run_zmq_load(spec);
    if (res.accepted + res.rejected == 0) {
        progress(name, "no reply on " + o.zmq);
        return 1;
    }
    double rate = res.elapsed > 0 ? static_cast<double>(res.accepted) / res.elapsed : 0;
    report(name, "accepted/s", format_rate(rate), ">= 10,000/s", verdict(rate >= 10000));
    long lost = res.sent - res.accepted - res.rejected;
    if (res.rejected) progress(name, "first rejection: " + res.first_rejection);
    report(name, "failed requests", format_count(res.rejected + lost), "0",
           verdict(res.rejected + lost == 0));
    return 0;
}

}  // namespace notify::bench
