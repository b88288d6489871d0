// scenario_schedule_burst.cpp - many schedules due at the same instant: --count
// (10,000) one-shot schedules are added over POST /v1/schedules, all firing at
// one moment a little after they are all in; then the time from that moment
// until the receiver has every firing's delivery. Target: all within 2 s.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>

#include "http_load.hpp"
#include "receiver.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "util/time.hpp"

namespace notify::bench {

int schedule_burst(const Options& o) {
    const std::string name = "schedule-burst";
    auto receiver = start_receiver(name, o, true);
    if (!receiver) return 1;
    const long count = o.count > 0 ? o.count : 10000;
    // Time enough to add them all (at a few thousand a second), then the moment.
    const double setup = o.seconds > 0 ? o.seconds : 20 + static_cast<double>(count) / 1000;
    const util::Millis due = util::now_ms() + static_cast<util::Millis>(setup * 1000);
    const Micros due_us = now_us() + static_cast<Micros>(setup * 1e6);
    const std::string at = util::format_rfc3339(due);
    progress(name, "add " + format_count(count) + " schedules firing at " + at);

    LoadSpec spec;
    spec.path = "/v1/schedules";
    spec.body = [&](long i) {
        return nlohmann::json{
            {"name", "burst-" + std::to_string(i)},
            {"at", at},
            {"notification", {{"channel", o.channel}, {"body", "burst " + std::to_string(i)}}}}
            .dump();
    };
    spec.accepted_in = [](const HttpReply& r) { return r.status == 201 ? 1L : 0L; };
    spec.connections = 8;
    spec.requests = count;
    spec.seconds = setup - 2;
    LoadResult added = run_closed_loop(o.http, spec);
    report(name, "schedules added/s", format_rate(added.accepted_per_second()));
    if (added.accepted < count || now_us() >= due_us) {
        progress(name, format_count(added.accepted) + " of " + format_count(count) +
                           " added before their firing: " + added.first_failure);
        return 1;
    }
    const bool all = wait_for([&] { return receiver->distinct() >= count; },
                              seconds_between(now_us(), due_us) + 30);
    const double took = seconds_between(due_us, all ? receiver->last_new_arrival() : now_us());
    char value[64];
    std::snprintf(value, sizeof value, "%.2f s", took);
    report(name, format_count(count) + " schedules due at once: last delivery after", value,
           "< 2 s", verdict(all && took < 2));
    report(name, "delivered", format_count(receiver->distinct()) + " of " + format_count(count),
           format_count(count), verdict(all));
    return 0;
}

}  // namespace notify::bench
