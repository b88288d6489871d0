// scenario_common.cpp - what the scenarios share: the bench's webhook receiver
// (started for every scenario when --receiver is given, so the stack's
// deliveries succeed instead of piling up as retries), a bounded wait, one
// request waited for, notifications enqueued in batches, and a daemon's memory.
#include <algorithm>
#include <fstream>
#include <thread>

#include "event_loop.hpp"
#include "payloads.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace notify::bench {

std::unique_ptr<Receiver> start_receiver(const std::string& scenario, const Options& o,
                                         bool required) {
    if (o.receiver.port <= 0) {
        if (required)
            progress(scenario, "needs --receiver HOST:PORT, where the webhook provider points");
        return nullptr;
    }
    auto r = Receiver::start(o.receiver.host, o.receiver.port);
    if (!r) {
        progress(scenario, r.error().message);
        return nullptr;
    }
    return std::move(*r);
}

bool wait_for(const std::function<bool()>& done, double seconds) {
    Micros deadline = now_us() + static_cast<Micros>(seconds * 1e6);
    while (!done()) {
        if (now_us() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

HttpReply request(EventLoop& loop, HttpPool& pool, const std::string& method,
                  const std::string& path, const std::string& body, double seconds) {
    HttpReply out;
    bool done = false;
    auto keep = [&](const HttpReply& r) {
        out = r;
        done = true;
    };
    if (method == "POST")
        pool.post(path, body, keep);
    else
        pool.get(path, keep);
    loop.run_until([&] { return done; }, now_us() + static_cast<Micros>(seconds * 1e6));
    return out;
}

LoadResult enqueue(const Options& o, long count, double seconds,
                   const std::function<std::string(long seq)>& notification) {
    int size = o.batch_size > 0 ? o.batch_size : 100;
    LoadSpec spec;
    spec.path = "/v1/notifications/batch";
    spec.body = [&, size](long i) { return batch_json(i * size, size, notification); };
    spec.accepted_in = [](const HttpReply& r) {
        return r.status == 202 ? std::max(0L, count_batch_accepted(r.body)) : 0L;
    };
    spec.connections = 4;
    spec.requests = (count + size - 1) / size;
    spec.seconds = seconds;
    return run_closed_loop(o.http, spec);
}

double memory_mib(long pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024;
    return -1;
}

}  // namespace notify::bench
