// scenario_future.cpp - the router holding many future deliveries: --count
// (1,000,000) notifications are sent in batches, each with its own send_at,
// spread evenly over count / --rate (5,000/s) seconds that begin once they
// can all be in. Once the router has taken every one in (the store's
// router.gated_seq reaches the last delivery), its resident memory is read
// from /proc; then, when all are delivered, how late each fired: the time of
// its "queued" event ("send_at reached") after its send_at, from the store.
// Targets: resident memory < 256 MB, every firing within 100 ms.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "http_load.hpp"
#include "payloads.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "store_reader.hpp"
#include "util/time.hpp"

namespace notify::bench {

namespace {

std::string ms_text(std::int64_t ms) {
    return std::to_string(ms) + " ms";
}

}  // namespace

int future(const Options& o) {
    const std::string name = "future";
    if (o.store.empty() || o.pid <= 0) {
        progress(name, "needs --store and --pid (the router's)");
        return 1;
    }
    auto receiver = start_receiver(name, o, true);
    if (!receiver) return 1;
    const long count = o.count > 0 ? o.count : 1000000;
    const double rate = o.rate > 0 ? o.rate : 5000;
    const int size = o.batch_size > 0 ? o.batch_size : 500;
    // Time to send them all and for the router to take them in, then the spread.
    const double setup = o.seconds > 0 ? o.seconds : 40 + static_cast<double>(count) / 20000;
    const util::Millis first = util::now_ms() + static_cast<util::Millis>(setup * 1000);
    const double spread_ms = static_cast<double>(count) / rate * 1000;
    auto send_at = [&](long seq) {
        return util::format_rfc3339(first +
                                    static_cast<util::Millis>(spread_ms * static_cast<double>(seq) /
                                                              static_cast<double>(count)));
    };
    progress(name, "send " + format_count(count) + " notifications due from " +
                       util::format_rfc3339(first) + " at " + format_rate(rate));

    LoadSpec spec;
    spec.path = "/v1/notifications/batch";
    spec.body = [&](long i) {
        std::string out = "{\"notifications\":[";
        for (long seq = i * size; seq < std::min(count, (i + 1) * size); ++seq) {
            if (seq != i * size) out += ',';
            std::string one = notification_json(o.channel, "low", seq);
            one.pop_back();
            out += one + ",\"send_at\":\"" + send_at(seq) + "\"}";
        }
        return out + "]}";
    };
    spec.accepted_in = [](const HttpReply& r) {
        return r.status == 202 ? std::max(0L, count_batch_accepted(r.body)) : 0L;
    };
    spec.connections = o.connections > 0 ? o.connections : 8;
    spec.requests = (count + size - 1) / size;
    spec.seconds = setup - 10;
    LoadResult sent = run_closed_loop(o.http, spec);
    report(name, "accepted/s (batches of " + std::to_string(size) + ")",
           format_rate(sent.accepted_per_second()));
    if (sent.accepted < count) {
        progress(name, format_count(sent.accepted) + " of " + format_count(count) +
                           " accepted: " + sent.first_failure);
        return 1;
    }

    StoreReader store(o.store);
    if (!store.ok()) {
        progress(name, "cannot open " + o.store);
        return 1;
    }
    const std::int64_t last = store.number("SELECT max(seq) FROM deliveries");
    const bool taken = wait_for(
        [&] {
            return store.number(
                       "SELECT CAST(value AS INTEGER) FROM settings WHERE key = "
                       "'router.gated_seq'") >= last;
        },
        static_cast<double>(first - util::now_ms()) / 1000);
    if (!taken) {
        progress(name, "the router had not taken every delivery in before the first was due");
        return 1;
    }
    const double rss = memory_mib(o.pid, "VmRSS");
    char value[64];
    std::snprintf(value, sizeof value, "%.0f MB", rss);
    report(name, "router resident memory holding " + format_count(count) + " future deliveries",
           value, "< 256 MB", verdict(rss > 0 && rss < 256));

    const bool all =
        wait_for([&] { return receiver->distinct() >= count; },
                 static_cast<double>(first - util::now_ms()) / 1000 + spread_ms / 1000 + 60);
    report(name, "delivered", format_count(receiver->distinct()) + " of " + format_count(count),
           format_count(count), verdict(all));
    std::snprintf(value, sizeof value, "%.0f MB", memory_mib(o.pid, "VmHWM"));
    report(name, "router peak resident memory", value);
    // The receiver may have the last deliveries before the router committed
    // their events.
    std::vector<std::int64_t> late = store.lateness();
    for (int tries = 0; tries < 20 && late.size() < static_cast<std::size_t>(count); ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        late = store.lateness();
    }
    if (late.empty()) {
        progress(name, "no firing recorded");
        return 1;
    }
    auto at = [&](double q) { return late[static_cast<std::size_t>(q * (late.size() - 1))]; };
    report(name, "firing lateness p50 / p99", ms_text(at(0.5)) + " / " + ms_text(at(0.99)));
    const long over = late.end() - std::upper_bound(late.begin(), late.end(), 100);
    report(name, "firing lateness, the latest of " + format_count(static_cast<long>(late.size())),
           ms_text(late.back()), "<= 100 ms",
           verdict(late.size() >= static_cast<std::size_t>(count) && late.back() <= 100));
    report(name, "firings later than 100 ms", format_count(over));
    return 0;
}

}  // namespace notify::bench
