// scenario_delivery.cpp - what reaches the receiver: the end-to-end delivery
// rate, and the accept->sent latency of high-priority notifications while a
// large low-priority backlog drains. Both need the bench's own receiver, which
// the webhook provider of channel "bench" points at. With --store, the second
// also splits that latency where the router handed each one to a worker.
#include "payloads.hpp"
#include "receiver.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "store_reader.hpp"

namespace notify::bench {

namespace {

// The high-priority latency split by stage: from the accept to the router's
// "dispatched" event, and from there to the receiver. The router stamps a
// round's events with the round's start, so the first is short and the second
// long by up to one round.
void report_stages(const std::string& name, const std::string& path,
                   const std::vector<std::pair<std::string, Micros>>& accepted,
                   const Receiver& receiver) {
    StoreReader store(path);
    if (!store.ok()) {
        progress(name, "cannot open " + path + ": no split by stage");
        return;
    }
    // The events are committed in order: the last one there means all are.
    const std::string& last = accepted.back().first;
    if (!wait_for([&] { return store.dispatched_at(last).has_value(); }, 10)) {
        progress(name, "the store has no dispatch of " + last + ": no split by stage");
        return;
    }
    const Micros offset = wall_minus_monotonic_us();
    LatencyRecorder to_worker(accepted.size()), to_receiver(accepted.size());
    for (const auto& [id, at] : accepted) {
        const auto dispatched = store.dispatched_at(id);
        const auto arrived = receiver.first_arrival(id);
        if (!dispatched || !arrived) continue;
        const Micros handed = *dispatched * 1000 - offset;  // on the bench's clock
        to_worker.record(handed - at);
        to_receiver.record(*arrived - handed);
    }
    report(name, "high accept->dispatched p99", format_ms(to_worker.percentile(99)));
    report(name, "high dispatched->received p99", format_ms(to_receiver.percentile(99)));
}

}  // namespace

int end_to_end(const Options& o) {
    const std::string name = "e2e";
    auto receiver = start_receiver(name, o, true);
    if (!receiver) return 1;
    long n = o.count > 0 ? o.count : 50000;
    double limit = o.seconds > 0 ? o.seconds : 60;
    progress(name, "enqueue " + format_count(n) + " in batches, then wait for every delivery (" +
                       std::to_string(static_cast<int>(limit)) + " s at most)");
    LoadResult in =
        enqueue(o, n, limit, [&](long seq) { return notification_json(o.channel, "medium", seq); });
    if (in.accepted == 0) {
        progress(name, "nothing accepted: " + in.first_failure);
        return 1;
    }
    report(name, "enqueue accepted/s", format_rate(in.accepted_per_second()));
    double left = limit - seconds_between(in.start, now_us());
    bool all = wait_for([&] { return receiver->distinct() >= in.accepted; }, std::max(left, 1.0));
    long got = receiver->distinct();
    Micros end = all ? receiver->last_new_arrival() : now_us();
    double rate = static_cast<double>(got) / seconds_between(in.first_accept, end);
    report(name, "deliveries/s", format_rate(rate), ">= 5,000/s", verdict(rate >= 5000 && all));
    report(name, "delivered", format_count(got) + " of " + format_count(in.accepted),
           format_count(in.accepted), verdict(all));
    report(name, "repeated deliveries",
           format_count(receiver->answered() - got - receiver->unidentified()));
    return 0;
}

int priority(const Options& o) {
    const std::string name = "priority";
    auto receiver = start_receiver(name, o, true);
    if (!receiver) return 1;
    long backlog = o.backlog;
    double limit = o.seconds > 0 ? o.seconds : 60;
    progress(name, "enqueue a backlog of " + format_count(backlog) + " low-priority notifications");
    LoadResult low = enqueue(o, backlog, limit,
                             [&](long seq) { return notification_json(o.channel, "low", seq); });
    if (low.accepted == 0) {
        progress(name, "nothing accepted: " + low.first_failure);
        return 1;
    }
    long low_before = receiver->distinct_low();
    progress(name, format_count(low.accepted) + " accepted at " +
                       format_rate(low.accepted_per_second()) + "; " + format_count(low_before) +
                       " delivered so far");

    // High-priority ones at a modest rate; each one's accept time is its reply.
    std::vector<std::pair<std::string, Micros>> accepted;
    LoadSpec spec;
    spec.path = "/v1/notifications";
    spec.body = [&](long i) { return notification_json(o.channel, "high", i); };
    spec.accepted_in = [](const HttpReply& r) { return r.status == 202 ? 1L : 0L; };
    spec.on_reply = [&](long, const HttpReply& r, Micros) {
        std::string id = r.status == 202 ? reply_id(r.body) : "";
        if (!id.empty()) accepted.emplace_back(id, r.replied_at);
    };
    spec.connections = 8;
    spec.rate = o.high_rate;
    spec.seconds = o.high_seconds;
    spec.requests = static_cast<long>(o.high_rate * o.high_seconds);
    progress(name,
             "send " + format_count(spec.requests) + " high-priority at " + format_rate(spec.rate));
    LoadResult high = run_open_loop(o.http, spec);
    if (accepted.empty()) {
        progress(name, "no high-priority notification accepted: " + high.first_failure);
        return 1;
    }
    auto all_high_in = [&] {
        for (const auto& [id, at] : accepted)
            if (!receiver->first_arrival(id)) return false;
        return true;
    };
    bool all = wait_for(all_high_in, 30);
    long low_left = low.accepted - receiver->distinct_low();
    Micros end = now_us();
    LatencyRecorder sent(accepted.size());
    long missing = 0;
    for (const auto& [id, at] : accepted) {
        auto arrived = receiver->first_arrival(id);
        if (!arrived) ++missing;
        sent.record((arrived ? *arrived : end) - at);
    }
    report(name, "high accept->sent p50", format_ms(sent.percentile(50)));
    report(name, "high accept->sent p99", format_ms(sent.percentile(99)), "<= 50.00 ms",
           verdict(sent.percentile(99) <= 50000 && all));
    report(name, "high accept->sent max", format_ms(sent.max()));
    if (!o.store.empty()) report_stages(name, o.store, accepted, *receiver);
    report(name, "high delivered",
           format_count(static_cast<long>(accepted.size()) - missing) + " of " +
               format_count(static_cast<long>(accepted.size())),
           format_count(static_cast<long>(accepted.size())), verdict(missing == 0));
    // Without a backlog still there at the end, the figures above say nothing
    // about priority.
    report(name, "low backlog left at the end", format_count(low_left), "> 0",
           verdict(low_left > 0));
    report(name, "high accept latency p99", format_ms(high.latency.percentile(99)));
    return 0;
}

}  // namespace notify::bench
