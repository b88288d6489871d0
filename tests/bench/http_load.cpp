// http_load.cpp - closed- and open-loop drivers over one HttpPool.
#include "http_load.hpp"

#include <vector>

#include "event_loop.hpp"

namespace notify::bench {

namespace {

constexpr Micros kConnectWait = 3'000'000;  // for the pool's connections, before timing
constexpr Micros kGrace = 10'000'000;       // for replies after sending stops
constexpr Micros kOpenLoopTick = 200;       // schedule granularity

void count_reply(LoadResult& res, const LoadSpec& spec, const HttpReply& r) {
    ++res.replied;
    res.last_reply = r.replied_at;
    long items = r.status == 0 ? 0 : spec.accepted_in(r);
    if (items > 0) {
        res.accepted += items;
        if (!res.first_accept) res.first_accept = r.replied_at;
        return;
    }
    ++res.failed;
    if (res.first_failure.empty())
        res.first_failure =
            r.status == 0 ? std::string("connection closed")
                          : "status " + std::to_string(r.status) + ": " + r.body.substr(0, 300);
}

void wait_connected(EventLoop& loop, const HttpPool& pool, int connections) {
    loop.run_until([&] { return pool.connected() >= static_cast<std::size_t>(connections); },
                   now_us() + kConnectWait);
}

}  // namespace

double LoadResult::accepted_per_second() const {
    double s = elapsed();
    return s > 0 ? static_cast<double>(accepted) / s : 0;
}

LoadResult run_closed_loop(const Target& target, const LoadSpec& spec) {
    EventLoop loop;
    HttpPool pool(loop.base(), target.host, target.port, spec.connections);
    wait_connected(loop, pool, spec.connections);
    LoadResult res;
    res.latency = LatencyRecorder(static_cast<std::size_t>(spec.requests));
    res.start = now_us();
    res.last_reply = res.start;
    Micros stop_sending = res.start + static_cast<Micros>(spec.seconds * 1e6);
    long outstanding = 0;
    std::function<void()> send_next = [&] {
        if (res.sent >= spec.requests || now_us() >= stop_sending) return;
        long index = res.sent++;
        ++outstanding;
        pool.post(spec.path, spec.body(index), [&, index](const HttpReply& r) {
            --outstanding;
            count_reply(res, spec, r);
            res.latency.record(r.replied_at - r.sent_at);
            if (spec.on_reply) spec.on_reply(index, r, r.sent_at);
            send_next();
        });
    };
    for (int i = 0; i < spec.connections; ++i) send_next();
    loop.run_until(
        [&] { return outstanding == 0 && (res.sent >= spec.requests || now_us() >= stop_sending); },
        stop_sending + kGrace);
    res.unfinished = outstanding;
    return res;
}

LoadResult run_open_loop(const Target& target, const LoadSpec& spec) {
    EventLoop loop;
    HttpPool pool(loop.base(), target.host, target.port, spec.connections);
    wait_connected(loop, pool, spec.connections);
    LoadResult res;
    long total = std::min(spec.requests, static_cast<long>(spec.rate * spec.seconds));
    res.latency = LatencyRecorder(static_cast<std::size_t>(total));
    std::vector<bool> answered(static_cast<std::size_t>(total), false);
    res.start = now_us();
    res.last_reply = res.start;
    auto due = [&](long i) {
        return res.start + static_cast<Micros>(static_cast<double>(i) * 1e6 / spec.rate);
    };
    long outstanding = 0;
    auto send_due = [&] {
        Micros now = now_us();
        while (res.sent < total && due(res.sent) <= now) {
            long index = res.sent++;
            Micros when = due(index);
            ++outstanding;
            pool.post(spec.path, spec.body(index), [&, index, when](const HttpReply& r) {
                --outstanding;
                answered[static_cast<std::size_t>(index)] = true;
                count_reply(res, spec, r);
                res.latency.record(r.replied_at - when);
                if (spec.on_reply) spec.on_reply(index, r, when);
            });
        }
    };
    Micros deadline = due(total) + kGrace;
    loop.run_until([&] { return res.sent >= total && outstanding == 0; }, deadline, send_due,
                   kOpenLoopTick);
    // What never came back counts with the latency it had reached.
    Micros end = now_us();
    for (long i = 0; i < total; ++i) {
        if (answered[static_cast<std::size_t>(i)]) continue;
        if (i >= res.sent && due(i) > end) continue;  // never due: the loop ended early
        ++res.unfinished;
        res.latency.record(end - due(i));
    }
    return res;
}

}  // namespace notify::bench
