// scenario_bulk.cpp - a send to a whole group: how long the door takes to accept
// it, and how fast the router expands it into deliveries. tests/bench/run imports
// the group's users first (gen-users, then `notifyctl user import`).
//
// The fan-out's progress is read from GET /v1/notifications/{id}?deliveries=0
// (its "fanout" object), polled every 250 ms.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "event_loop.hpp"
#include "http_pool.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace notify::bench {

int bulk(const Options& o) {
    const std::string name = "bulk";
    auto receiver = start_receiver(name, o, false);  // deliveries succeed while it expands
    EventLoop loop;
    HttpPool pool(loop.base(), o.http.host, o.http.port, 1);
    const std::string group = o.group.empty() ? "everyone" : o.group;
    nlohmann::json send{{"channel", o.channel},
                        {"to", "group:" + group},
                        {"subject", "Maintenance tonight"},
                        {"body", "The service is down for maintenance from 22:00 to 23:00."}};
    progress(name, "send to group:" + group);
    Micros t0 = now_us();
    HttpReply accepted = request(loop, pool, "POST", "/v1/notifications", send.dump(), 30);
    Micros t1 = now_us();
    if (accepted.status != 202) {
        progress(name, "not accepted: " + std::to_string(accepted.status) + " " + accepted.body);
        return 1;
    }
    auto doc = nlohmann::json::parse(accepted.body, nullptr, false);
    const std::string id = doc.value("id", std::string());
    const long recipients = doc.value("recipients", 0L);
    double accept_s = static_cast<double>(t1 - t0) / 1e6;
    report(name, "recipients", format_count(recipients));
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f s", accept_s);
    report(name, "accept time", seconds, "< 2 s", verdict(accept_s < 2.0));

    double limit = o.seconds > 0 ? o.seconds : 120;
    long expanded = 0;
    std::string state;
    Micros first_seen = 0, done_at = 0;
    long first_expanded = 0;
    const Micros deadline = now_us() + static_cast<Micros>(limit * 1e6);
    while (now_us() < deadline) {
        HttpReply r =
            request(loop, pool, "GET", "/v1/notifications/" + id + "?deliveries=0", "", 10);
        auto v = nlohmann::json::parse(r.body, nullptr, false);
        if (r.status == 200 && v.is_object() && v.contains("fanout") && v["fanout"].is_object()) {
            expanded = v["fanout"].value("expanded", 0L);
            state = v["fanout"].value("state", std::string());
            if (!first_seen && expanded > 0) {
                first_seen = now_us();
                first_expanded = expanded;
            }
            if (state == "done") {
                done_at = now_us();
                break;
            }
        }
        loop.run_until([] { return false; }, now_us() + 250000);
    }
    if (!done_at) {
        report(name, "expanded", format_count(expanded) + " of " + format_count(recipients),
               format_count(recipients), Verdict::missed);
        return 0;
    }
    // From the accept to the last step: the whole expansion, queueing included.
    double rate = static_cast<double>(expanded) / (static_cast<double>(done_at - t1) / 1e6);
    report(name, "expanded deliveries/s", format_rate(rate), ">= 100,000/s",
           verdict(rate >= 100000));
    if (first_seen && done_at > first_seen) {
        double steady = static_cast<double>(expanded - first_expanded) /
                        (static_cast<double>(done_at - first_seen) / 1e6);
        report(name, "expanded/s after the first step", format_rate(steady));
    }
    if (receiver) report(name, "delivered while expanding", format_count(receiver->answered()));
    return 0;
}

}  // namespace notify::bench
