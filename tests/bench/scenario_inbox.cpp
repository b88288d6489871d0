// scenario_inbox.cpp - the inbox's live streams at the target's scale: --count
// (10,000) streams GET /v1/inbox/{user}/stream held open at once, each to its
// own user (the ids gen-users writes, imported by tests/bench/run) with a
// token made from --secret (inbox.secret); with all of them open, ingest's
// resident memory (--pid). Then the open loop of the latency scenario at
// --rate (5,000/s) for --seconds (20) on the webhook channel, every 50th
// request instead an inbox notification on channel "bench-inbox" to a random
// open user, its data carrying the bench's clock when it was made; the
// streams' thread takes each new item's latency from that to its arrival on
// the stream, and from the time the router wrote the item (its created_at,
// the wall clock, milliseconds). An item accepted and never seen on its
// stream counts with the latency it had reached at the end, and misses the
// target.
// Targets: ingest resident memory < 300 MB with every stream open, a new item
// written -> on its stream p99 <= 100 ms, no stream lost.
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "http_load.hpp"
#include "inbox_token.hpp"
#include "latency_recorder.hpp"
#include "payloads.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "sse_streams.hpp"
#include "util/time.hpp"

namespace notify::bench {

namespace {

using nlohmann::json;

const std::string kInboxChannel = "bench-inbox";  // its provider is of type "inbox"
constexpr long kInboxEvery = 50;                  // one request in so many is an inbox notification
constexpr int kOpening = 256;                     // streams being opened at a time
constexpr double kOpenSeconds = 120;              // for every stream to open
constexpr double kTailSeconds = 10;               // for the last items, after the load
constexpr double kMemoryMb = 300;

// Raises the soft limit on open files to the hard one; false (with a progress
// line) when that is still under `needed`.
bool raise_open_files(const std::string& name, long needed) {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return true;  // the opens will tell
    if (lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
        getrlimit(RLIMIT_NOFILE, &lim);
    }
    if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= static_cast<rlim_t>(needed)) return true;
    progress(name, "needs " + format_count(needed) + " open files; the limit is " +
                       format_count(static_cast<long>(lim.rlim_cur)) + " (ulimit -Hn)");
    return false;
}

// What a "new" event tells of an inbox notification of the bench's: which
// one (data.seq), the bench's clock when it was made (data.t) and the wall
// clock when the router wrote the item (created_at, in milliseconds).
struct SeenItem {
    long seq = 0;
    Micros made_at = 0;
    util::Millis written_at = 0;
};

// The item of a "new" event's data; nullopt for an item that is not the bench's.
std::optional<SeenItem> item_of(const std::string& data) {
    static const json::json_pointer seq("/item/data/seq"), t("/item/data/t"),
        created("/item/created_at");
    const json j = json::parse(data, nullptr, false);
    if (j.is_discarded() || !j.contains(seq) || !j.contains(t) || !j.contains(created))
        return std::nullopt;
    if (!j.at(seq).is_number_integer() || !j.at(t).is_number_integer() ||
        !j.at(created).is_string())
        return std::nullopt;
    auto written = util::parse_time(j.at(created).get<std::string>(), 0);
    if (!written) return std::nullopt;
    return SeenItem{j.at(seq).get<long>(), j.at(t).get<Micros>(), *written};
}

std::string mb_text(double mib) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f MB", mib);
    return text;
}

}  // namespace

int inbox(const Options& o) {
    const std::string name = "inbox";
    if (o.pid <= 0 || o.secret.empty()) {
        progress(name, "needs --pid (the ingest's) and --secret (its inbox.secret)");
        return 1;
    }
    const long count = o.count > 0 ? o.count : 10000;
    LoadSpec spec;
    spec.path = "/v1/notifications";
    spec.accepted_in = [](const HttpReply& r) { return r.status == 202 ? 1L : 0L; };
    spec.connections = o.connections > 0 ? o.connections : 64;
    spec.rate = o.rate > 0 ? o.rate : 5000;
    spec.seconds = o.seconds > 0 ? o.seconds : 20;
    spec.requests = static_cast<long>(spec.rate * spec.seconds);
    if (!raise_open_files(name, count + spec.connections + 256)) return 1;
    auto sink = start_receiver(name, o, false);

    // One stream per user, in gen-users' order.
    std::vector<std::string> users, paths;
    const util::Millis expires = util::now_ms() + 24LL * 3600 * 1000;
    for (long i = 0; i < count; ++i) {
        users.push_back(bench_user_id(i));
        paths.push_back("/v1/inbox/" + users.back() +
                        "/stream?token=" + inbox_token(o.secret, users.back(), expires));
    }

    // Inbox notification k is request k * kInboxEvery.
    const auto notes = static_cast<std::size_t>((spec.requests + kInboxEvery - 1) / kInboxEvery);
    std::vector<Micros> made_at(notes, 0);
    std::vector<char> accepted(notes, 0);
    // The streams' thread's until streams.stop():
    std::vector<char> arrived(notes, 0);
    LatencyRecorder on_stream(notes);     // made -> on its stream: accept, router, stream
    LatencyRecorder from_written(notes);  // the item written -> on its stream
    std::atomic<long> received{0};
    SseStreams streams(
        o.http, paths, kOpening,
        [&](std::size_t, const std::string& kind, const std::string& data, Micros at) {
            if (kind != "new") return;
            auto item = item_of(data);
            if (!item || item->seq < 0) return;
            const auto k = static_cast<std::size_t>(item->seq);
            if (k >= notes || arrived[k]) return;
            arrived[k] = 1;
            on_stream.record(at - item->made_at);
            from_written.record((util::now_ms() - item->written_at) * 1000);
            ++received;
        });

    const Micros opening = now_us();
    streams.start(opening +
                  static_cast<Micros>((kOpenSeconds + spec.seconds + kTailSeconds + 120) * 1e6));
    progress(name, "open " + format_count(count) + " streams, " + std::to_string(kOpening) +
                       " at a time");
    wait_for([&] { return streams.ready() + streams.failed() >= count; }, kOpenSeconds);
    char value[64];
    std::snprintf(value, sizeof value, "%.2f s", seconds_between(opening, now_us()));
    const std::vector<std::size_t> open = streams.ready_streams();
    const long opened = static_cast<long>(open.size());
    report(name, "streams open", format_count(opened) + " of " + format_count(count),
           format_count(count), verdict(opened == count));
    report(name, "time to open them", value);
    if (opened < count)
        progress(name, format_count(streams.failed()) + " failed, " +
                           format_count(count - opened - streams.failed()) +
                           " still opening; first failure: " + streams.first_failure());
    if (open.empty()) return 1;
    const double rss = memory_mib(o.pid, "VmRSS");
    report(name, "ingest resident memory, " + format_count(opened) + " streams open", mb_text(rss),
           "< 300 MB", verdict(opened == count && rss > 0 && rss < kMemoryMb));

    std::mt19937_64 pick(20240601);
    spec.body = [&](long i) {
        if (i % kInboxEvery != 0) return notification_json(o.channel, "low", i);
        const auto k = static_cast<std::size_t>(i / kInboxEvery);
        made_at[k] = now_us();
        const std::string& user = users[open[pick() % open.size()]];
        return inbox_notification_json(kInboxChannel, user, static_cast<long>(k), made_at[k]);
    };
    spec.on_reply = [&](long i, const HttpReply& r, Micros) {
        if (i % kInboxEvery == 0 && r.status == 202)
            accepted[static_cast<std::size_t>(i / kInboxEvery)] = 1;
    };
    progress(name, "open loop at " + format_rate(spec.rate) + " for " +
                       std::to_string(static_cast<int>(spec.seconds)) + " s over " +
                       std::to_string(spec.connections) + " connections, one in " +
                       std::to_string(kInboxEvery) + " to an inbox");
    LoadResult res = run_open_loop(o.http, spec);
    if (res.replied == 0) {
        progress(name, "no reply from the ingest");
        return 1;
    }
    long sent = 0;
    for (char a : accepted) sent += a;
    wait_for([&] { return received >= sent; }, kTailSeconds);
    const Micros end = now_us();
    const long lost = streams.lost();
    const double peak = memory_mib(o.pid, "VmHWM");
    streams.stop();
    long missing = 0;
    for (std::size_t k = 0; k < notes; ++k) {
        if (!accepted[k] || arrived[k]) continue;
        ++missing;
        on_stream.record(end - made_at[k]);
    }

    const double rate = res.accepted_per_second();
    report(name, "offered rate", format_rate(spec.rate));
    report(name, "achieved rate", format_rate(rate), ">= " + format_rate(spec.rate * 0.99),
           verdict(rate >= spec.rate * 0.99));
    report(name, "accept p99", format_ms(res.latency.percentile(99)));
    if (res.failed || res.unfinished)
        progress(name, format_count(res.failed) + " failed, " + format_count(res.unfinished) +
                           " unanswered; first failure: " + res.first_failure);
    report(name, "accept failed or unanswered", format_count(res.failed + res.unfinished), "0",
           verdict(res.failed + res.unfinished == 0));
    report(name, "inbox items seen on their streams",
           format_count(sent - missing) + " of " + format_count(sent), format_count(sent),
           verdict(sent > 0 && missing == 0));
    // The target: an item, once written, on its user's stream.
    report(name, "new item written -> on its stream p50", format_ms(from_written.percentile(50)));
    const Micros p99 = from_written.percentile(99);
    report(name, "new item written -> on its stream p99", format_ms(p99), "<= 100.00 ms",
           verdict(!from_written.empty() && missing == 0 && p99 <= 100000));
    report(name, "new item written -> on its stream max", format_ms(from_written.max()));
    // The whole way, through the router's queues under the load (no target).
    report(name, "sent -> on its stream p50", format_ms(on_stream.percentile(50)));
    report(name, "sent -> on its stream p99", format_ms(on_stream.percentile(99)));
    report(name, "streams lost during the run", format_count(lost), "0", verdict(lost == 0));
    report(name, "ingest peak resident memory", mb_text(peak), "< 300 MB",
           verdict(peak > 0 && peak < kMemoryMb));
    return 0;
}

}  // namespace notify::bench
