// scenario_latency.cpp - accept latency at a constant offered rate (open loop):
// single POSTs due on a fixed timetable, latency from each one's due time.
#include <algorithm>
#include <cstdio>

#include "payloads.hpp"
#include "receiver.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace notify::bench {

int latency(const Options& o) {
    const std::string name = "latency";
    auto sink = start_receiver(name, o, false);
    LoadSpec spec;
    spec.path = "/v1/notifications";
    spec.body = [&](long i) { return notification_json(o.channel, "low", i); };
    spec.accepted_in = [](const HttpReply& r) { return r.status == 202 ? 1L : 0L; };
    spec.connections = o.connections > 0 ? o.connections : 64;
    spec.rate = o.rate > 0 ? o.rate : 10000;
    spec.seconds = o.seconds > 0 ? o.seconds : 10;
    spec.requests = o.count > 0 ? o.count : static_cast<long>(spec.rate * spec.seconds);
    progress(name, "open loop at " + format_rate(spec.rate) + " for " +
                       std::to_string(static_cast<int>(spec.seconds)) + " s over " +
                       std::to_string(spec.connections) + " connections");
    LoadResult res = run_open_loop(o.http, spec);
    if (res.replied == 0) {
        progress(name, "no reply from the ingest");
        return 1;
    }
    // Achieved: accepted over the span the schedule covered (or longer, if the
    // server fell behind and the last replies came late).
    double rate = res.accepted_per_second();
    report(name, "offered rate", format_rate(spec.rate));
    report(name, "achieved rate", format_rate(rate), ">= " + format_rate(spec.rate * 0.99),
           verdict(rate >= spec.rate * 0.99));
    report(name, "p50", format_ms(res.latency.percentile(50)));
    report(name, "p90", format_ms(res.latency.percentile(90)));
    Micros p99 = res.latency.percentile(99);
    report(name, "p99", format_ms(p99), "<= 10.00 ms", verdict(p99 <= 10000));
    report(name, "max", format_ms(res.latency.max()));
    if (res.failed || res.unfinished)
        progress(name, format_count(res.failed) + " failed, " + format_count(res.unfinished) +
                           " unanswered; first failure: " + res.first_failure);
    report(name, "failed or unanswered", format_count(res.failed + res.unfinished), "0",
           verdict(res.failed + res.unfinished == 0));
    // Whether delivering kept up meanwhile, and how long it took to catch up.
    if (sink) {
        const Micros load_end = now_us();
        const long meanwhile = sink->distinct();
        report(name, "delivered while accepting",
               format_count(meanwhile) + " of " + format_count(res.accepted));
        const bool all = wait_for([&] { return sink->distinct() >= res.accepted; }, 60);
        const double behind =
            all ? std::max(0.0, seconds_between(load_end, sink->last_new_arrival())) : 60;
        char took[32];
        std::snprintf(took, sizeof took, "%.1f s", behind);
        report(name, "every one delivered",
               all ? std::string(took) + " after the load ended"
                   : format_count(sink->distinct()) + " after 60 s",
               "within 60 s", verdict(all));
    }
    return 0;
}

}  // namespace notify::bench
