// scenario_common.cpp - what the scenarios share: the bench's webhook receiver
// (started for every scenario when --receiver is given, so the stack's
// deliveries succeed instead of piling up as retries), a bounded wait, and a
// daemon's memory.
#include <fstream>
#include <thread>

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

double memory_mib(long pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024;
    return -1;
}

}  // namespace notify::bench
