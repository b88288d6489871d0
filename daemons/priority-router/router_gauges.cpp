// router_gauges.cpp - the gauges of /metrics, read from the router's state
// when a scrape asks ({"op":"metrics"} on router.control): unfinished
// deliveries by channel and state, the queues by priority, what is in flight,
// each worker's holdings and credit, each provider's breaker, the fan-outs
// being expanded. Counting the active deliveries walks them once per scrape
// (a few milliseconds for a million), so no figure has to be kept in step with
// every change of state.
#include <algorithm>

#include "router.hpp"
#include "util/strings.hpp"

namespace notify::router {

namespace {
constexpr std::size_t kMaxWorkerName = 128;  // bytes of a worker's name in a label
}

RouterGauges Router::gauges() const {
    RouterGauges g = metrics_.empty_gauges();
    for (const auto& [_, e] : active_) {
        const auto state = static_cast<std::size_t>(e.state);
        if (e.channel_index < g.active.size() && state < g.active[e.channel_index].size())
            ++g.active[e.channel_index][state];
        if (e.state == DeliveryState::queued) ++g.queued[static_cast<std::size_t>(e.priority)];
        if (e.state == DeliveryState::in_flight) ++g.in_flight;
    }
    const auto scheduled = static_cast<std::size_t>(DeliveryState::scheduled);
    const auto& asleep = sleepers_.by_channel();
    for (std::size_t c = 0; c < asleep.size() && c < g.active.size(); ++c)
        if (scheduled < g.active[c].size()) g.active[c][scheduled] += asleep[c];

    g.workers_connected = workers_.size();
    // Workers of the same name (one per host, say) are one series.
    for (const auto& [_, w] : workers_.all()) {
        const std::string name = util::cut_utf8(w.name, kMaxWorkerName);
        auto it = std::find_if(g.workers.begin(), g.workers.end(),
                               [&](const RouterGauges::Worker& x) { return x.name == name; });
        if (it == g.workers.end()) it = g.workers.insert(g.workers.end(), {name, 0, 0});
        it->in_flight += w.in_flight.size();
        it->credit += w.credit;
    }
    std::sort(g.workers.begin(), g.workers.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });

    for (const auto& [name, _] : config_.providers) {
        g.breakers.emplace_back(name, choice_.breakers().state(name));
        g.provider_in_flight.emplace_back(name, choice_.caps().in_flight(name));
    }
    g.fanouts_expanding = expander_.expanding();
    return g;
}

}  // namespace notify::router
