// scenario_push.cpp - the push adapters' sends per second through the whole
// stack: --count (50,000) notifications on channel "bench-apns", enqueued in
// batches of --batch-size, each to one of the device tokens the vendors' mock
// answers (--devices: a file named for each, the mock's 3/device; notification
// N goes to token N mod their number); then the router's count of them sent
// (GET /metrics, notify_deliveries_total{channel,state="sent"}, read every
// 50 ms) until it has them all, or --seconds (60) pass, or 10 s pass without
// one more sent. Then the same on "bench-fcm" (the tokens as FCM
// registration tokens). tests/bench/run starts the mock (--mock: nghttpd,
// HTTP/2 over TLS) and names each channel's one provider as the channel.
//
// The rate is from the first accepted batch to the read that saw the last
// send, so the enqueue is in it, as in e2e. Also per vendor: the attempts that
// did not end sent (notify_attempts_total{provider}, outcomes retryable and
// permanent) and how many more TCP connections to the mock are open after
// the run than before it (the worker's ends, from /proc/net/tcp). The mock logs nothing without -v,
// which would slow it, so FCM's token fetches are not counted. Target: at least 5,000 sends/s each.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "event_loop.hpp"
#include "http_pool.hpp"
#include "payloads.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace notify::bench {

namespace {

const char* const kVendors[] = {"apns", "fcm"};  // on channels and providers "bench-VENDOR"
constexpr Micros kPoll = 50'000;
constexpr Micros kStall = 10'000'000;  // without one more sent: the run is over
constexpr double kTarget = 5000;

// The token names of the files in `folder`, sorted; empty when there are none.
std::vector<std::string> device_tokens(const std::string& folder) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
        out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// Established TCP connections to `port` from this machine: the client ends in
// /proc/net/tcp (IPv4, as the mock listens on 127.0.0.1).
long connections_to(int port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the header
    long n = 0;
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        const auto colon = remote.find(':');
        if (state == "01" && colon != std::string::npos &&
            std::strtol(remote.c_str() + colon + 1, nullptr, 16) == port)
            ++n;
    }
    return n;
}

// The value of `series` (its name and labels as the exposition writes them);
// 0 when it is not there.
long sample_of(const std::string& text, const std::string& series) {
    for (std::size_t at = text.find(series); at != std::string::npos;
         at = text.find(series, at + 1)) {
        const std::size_t value = at + series.size();
        if ((at == 0 || text[at - 1] == '\n') && value < text.size() && text[value] == ' ')
            return std::strtol(text.c_str() + value + 1, nullptr, 10);
    }
    return 0;
}

// What the router counted for one vendor since it started.
struct Counts {
    long sent = 0;      // deliveries into state sent
    long failed = 0;    // deliveries into state failed
    long not_sent = 0;  // attempts that ended retryable or permanent
};

std::optional<Counts> read_counts(EventLoop& loop, HttpPool& pool, const std::string& channel) {
    const HttpReply r = request(loop, pool, "GET", "/metrics", "", 5);
    if (r.status != 200) return std::nullopt;
    const std::string delivery = "notify_deliveries_total{channel=\"" + channel + "\",state=\"";
    const std::string attempt = "notify_attempts_total{provider=\"" + channel + "\",outcome=\"";
    Counts c;
    c.sent = sample_of(r.body, delivery + "sent\"}");
    c.failed = sample_of(r.body, delivery + "failed\"}");
    c.not_sent =
        sample_of(r.body, attempt + "retryable\"}") + sample_of(r.body, attempt + "permanent\"}");
    return c;
}

// One vendor's run and its figures; false when nothing was accepted.
bool measure(const Options& o, const std::string& vendor, const std::vector<std::string>& devices) {
    const std::string name = "push";
    const std::string channel = "bench-" + vendor;
    const long n = o.count > 0 ? o.count : 50000;
    const double limit = o.seconds > 0 ? o.seconds : 60;
    EventLoop loop;
    HttpPool pool(loop.base(), o.http.host, o.http.port, 1);
    const Counts before = read_counts(loop, pool, channel).value_or(Counts{});
    const long connections_before = connections_to(o.mock.port);
    progress(name, vendor + ": enqueue " + format_count(n) + " to " +
                       format_count(static_cast<long>(devices.size())) +
                       " device tokens, then wait for every send (" +
                       std::to_string(static_cast<int>(limit)) + " s at most)");
    LoadResult in = enqueue(o, n, limit, [&](long seq) {
        const auto device = static_cast<std::size_t>(seq) % devices.size();
        return notification_json(channel, "medium", seq, devices[device]);
    });
    if (in.accepted == 0) {
        progress(name, vendor + ": nothing accepted: " + in.first_failure);
        report(name, vendor + " (nothing accepted)", "-", "-", Verdict::missed);
        return false;
    }
    report(name, vendor + " enqueue accepted/s", format_rate(in.accepted_per_second()));

    const Micros deadline = in.start + static_cast<Micros>(limit * 1e6);
    Counts seen = before;
    Micros end = now_us(), last_send = end;
    for (;;) {
        const auto counts = read_counts(loop, pool, channel);
        const Micros at = now_us();
        if (counts) {
            if (counts->sent != seen.sent) last_send = at;
            seen = *counts;
            end = at;
        }
        if (seen.sent + seen.failed - before.sent - before.failed >= in.accepted) break;
        if (at >= deadline || at - last_send > kStall) break;
        loop.run_until([] { return false; }, at + kPoll);
    }
    const long sent = seen.sent - before.sent;
    const bool all = sent >= in.accepted;
    const double rate = static_cast<double>(sent) / seconds_between(in.first_accept, end);
    report(name, vendor + " sends/s", format_rate(rate), ">= " + format_rate(kTarget),
           verdict(rate >= kTarget && all));
    report(name, vendor + " sent", format_count(sent) + " of " + format_count(in.accepted),
           format_count(in.accepted), verdict(all));
    if (seen.failed > before.failed)
        progress(name, vendor + ": " + format_count(seen.failed - before.failed) +
                           " failed; see the worker's log");
    report(name, vendor + " attempts not sent (retryable or permanent)",
           format_count(seen.not_sent - before.not_sent));
    report(name, vendor + " more connections to the mock at the end",
           format_count(connections_to(o.mock.port) - connections_before));
    return true;
}

}  // namespace

int push(const Options& o) {
    const std::string name = "push";
    const std::vector<std::string> devices = device_tokens(o.devices);
    if (devices.empty() || o.mock.port <= 0) {
        progress(name,
                 "needs --mock HOST:PORT (the vendors' mock) and --devices FOLDER (its "
                 "3/device, a file named for each device token)");
        return 1;
    }
    int ran = 0;
    for (const char* vendor : kVendors) ran += measure(o, vendor, devices) ? 1 : 0;
    return ran > 0 ? 0 : 1;
}

}  // namespace notify::bench
