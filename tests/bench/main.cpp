// main.cpp - notify-bench: load generator and measurement for a running notify
// stack. Run by hand through tests/bench/run, which starts the daemons with a
// config pointing the "bench" channel's webhook provider at --receiver.
//
//   notify-bench SCENARIO --http 127.0.0.1:8025 [--zmq ENDPOINT] [--receiver HOST:PORT]
//   notify-bench free-port                  print a free loopback TCP port
//   notify-bench wait-healthy --http H:P    wait for GET /healthz = 200
//
// Figures go to stdout as "result" lines (report.hpp); progress to stderr.
// Exit: 0 ran, 1 a scenario could not run, 64 usage.
#include <arpa/inet.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "event_loop.hpp"
#include "http_pool.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "util/strings.hpp"

namespace {

using namespace notify::bench;

struct Command {
    const char* name;
    const char* help;
    int (*run)(const Options&);
};

int free_port(const Options&) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::perror("notify-bench: free-port");
        return 1;
    }
    std::printf("%d\n", ntohs(addr.sin_port));
    close(fd);
    return 0;
}

int wait_healthy(const Options& o) {
    double limit = o.seconds > 0 ? o.seconds : 15;
    EventLoop loop;
    HttpPool pool(loop.base(), o.http.host, o.http.port, 1);
    bool healthy = false;
    bool asked = false;
    Micros next_try = 0;
    auto tick = [&] {
        if (asked || now_us() < next_try) return;
        asked = true;
        pool.get("/healthz", [&](const HttpReply& r) {
            asked = false;
            healthy = r.status == 200;
            next_try = now_us() + 100000;
        });
    };
    loop.run_until([&] { return healthy; }, now_us() + static_cast<Micros>(limit * 1e6), tick,
                   10000);
    if (!healthy)
        std::cerr << "notify-bench: no healthy ingest at " << o.http.host << ":" << o.http.port
                  << " within " << limit << " s\n";
    return healthy ? 0 : 1;
}

const Command kCommands[] = {
    {"accept-http", "closed-loop single POSTs: accepted/s", accept_http},
    {"accept-batch", "closed-loop batch POSTs: accepted/s", accept_batch},
    {"accept-zmq", "DEALER load on ingest.listen: accepted/s", accept_zmq},
    {"latency", "open loop at a fixed rate: accept latency percentiles", latency},
    {"e2e", "deliveries/s from first accept to last arrival", end_to_end},
    {"push", "--count (50,000) each through APNs, then FCM, to --mock: sends/s", push},
    {"priority", "high-priority accept->sent under a low-priority backlog", priority},
    {"bulk", "a send to --group: accept time and expansion rate", bulk},
    {"render", "render a stored template per user (--store PATH): us each", render},
    {"otp", "open loop POST /v1/otp, then /v1/otp/verify: latency percentiles", otp},
    {"reports", "a month of --count deliveries into --store, then reports: ms each", reports},
    {"schedules", "the next --count (1,000) firings of cron expressions: ms each", schedules},
    {"schedule-burst", "--count (10,000) schedules due at once: s to the last delivery",
     schedule_burst},
    {"future", "--count (1,000,000) future deliveries: router memory (--pid), lateness (--store)",
     future},
    {"inbox", "--count (10,000) inbox streams: ingest memory (--pid), new items' latency", inbox},
    {"dashboard", "sign in with --key, then each page 10 times: slowest ms", dashboard},
    {"cli", "--notifyctl PATH --config FILE: notifyctl commands, spawn to exit: ms each", cli},
    {"gen-users", "write --count users as JSON Lines to --output", gen_users},
    {"free-port", "print a free loopback TCP port", free_port},
    {"wait-healthy", "wait until GET /healthz answers 200", wait_healthy},
};

bool parse_host_port(const std::string& text, Target& out) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    out.host = text.substr(0, colon);
    out.port = std::atoi(text.c_str() + colon + 1);
    return !out.host.empty() && out.port > 0 && out.port < 65536;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    std::string footer = "commands:\n";
    std::vector<std::string> names;
    for (const auto& c : kCommands) {
        footer +=
            "  " + std::string(c.name) + std::string(14 - std::strlen(c.name), ' ') + c.help + "\n";
        names.emplace_back(c.name);
    }
    footer += "\nexample: notify-bench latency --http 127.0.0.1:8025 --rate 10000 --seconds 10\n";
    CLI::App app{"notify-bench: load and measure a running notify stack", "notify-bench"};
    app.footer(footer);
    Options o;
    std::string command, http = "127.0.0.1:8025", receiver, mock;
    app.add_option("command", command, "what to run (see below)")->required();
    app.add_option("--http", http, "the ingest's HTTP address (ingest.http)");
    app.add_option("--zmq", o.zmq, "the ingest's ZeroMQ endpoint (ingest.listen)");
    app.add_option("--receiver", receiver, "HOST:PORT for the bench's webhook receiver");
    app.add_option("--channel", o.channel, "channel to send to")->capture_default_str();
    app.add_option("--connections", o.connections, "connections or sockets (scenario default)");
    app.add_option("--count", o.count, "requests or notifications at most (scenario default)");
    app.add_option("--seconds", o.seconds, "time limit (scenario default)");
    app.add_option("--rate", o.rate, "offered rate for latency (10000) and otp (1000), per second");
    app.add_option("--batch-size", o.batch_size, "notifications per batch")->capture_default_str();
    app.add_option("--group", o.group, "bulk: the group to send to (everyone)");
    app.add_option("--output", o.output, "gen-users: the file to write");
    app.add_option("--store", o.store,
                   "render: the store with the starter templates; future: the store; "
                   "priority: the store, to split the latency where each was dispatched");
    app.add_option("--pid", o.pid,
                   "future: the router's process id, inbox: the ingest's, for its memory");
    app.add_option("--secret", o.secret, "inbox: inbox.secret, to make the users' tokens");
    app.add_option("--key", o.key, "dashboard: an API key of scope read or admin");
    app.add_option("--mock", mock, "push: HOST:PORT of the APNs and FCM mock");
    app.add_option("--devices", o.devices,
                   "push: the mock's folder of device tokens, a file named for each");
    app.add_option("--notifyctl", o.notifyctl, "cli: the notifyctl to run");
    app.add_option("--config", o.config, "cli: the configuration file notifyctl is given");
    app.add_option("--backlog", o.backlog, "priority: low-priority backlog")->capture_default_str();
    app.add_option("--high-rate", o.high_rate, "priority: high-priority sends per second")
        ->capture_default_str();
    app.add_option("--high-seconds", o.high_seconds, "priority: for how long")
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 64;
    }
    if (!parse_host_port(http, o.http)) {
        std::cerr << "notify-bench: --http must be HOST:PORT, not '" << http << "'\n";
        return 64;
    }
    if (!receiver.empty() && !parse_host_port(receiver, o.receiver)) {
        std::cerr << "notify-bench: --receiver must be HOST:PORT, not '" << receiver << "'\n";
        return 64;
    }
    if (!mock.empty() && !parse_host_port(mock, o.mock)) {
        std::cerr << "notify-bench: --mock must be HOST:PORT, not '" << mock << "'\n";
        return 64;
    }
    const Command* chosen = nullptr;
    for (const auto& c : kCommands)
        if (command == c.name) chosen = &c;
    if (!chosen) {
        std::cerr << "notify-bench: unknown command '" << command << "'"
                  << notify::util::did_you_mean(command, names) << "\n";
        return 64;
    }
    evthread_use_pthreads();  // the receiver's loop is stopped from the main thread
    try {
        int rc = chosen->run(o);
        bool measured = command != "free-port" && command != "wait-healthy";
        if (measured && rc == 0)
            std::cout << "cpu\t" << command << '\t' << cpu_seconds() << std::endl;
        return rc;
    } catch (const std::exception& e) {
        std::cerr << "notify-bench: " << command << ": " << e.what() << "\n";
        return 1;
    }
}
