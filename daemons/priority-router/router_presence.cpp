// router_presence.cpp - what the router says of itself in its row of
// cluster_members (store/presence.hpp), every Presence::kBeat: whether it can
// do its job (ready, or degraded and why), its queues, and each worker
// connected to it, for `notifyctl cluster status`.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "router.hpp"
#include "store/presence.hpp"
#include "util/strings.hpp"

namespace notify::router {

namespace {
constexpr std::size_t kMaxWorkersShown = 1000;
constexpr std::size_t kMaxWorkerName = 128;
}  // namespace

void Router::announce_with(store::Presence& presence) {
    presence_ = &presence;
}

std::string Router::self_description(Millis now) const {
    using nlohmann::json;
    const RouterGauges g = gauges();
    json problems = json::array();
    if (workers_.size() == 0) problems.push_back("no worker is connected: nothing is delivered");
    if (backoff_.failing()) problems.push_back("the store refuses the router's writes");
    for (const auto& [name, state] : g.breakers)
        if (state == BreakerState::open)
            problems.push_back("provider '" + name + "' is not tried: its circuit breaker is open");
    json health = problems.empty() ? json{{"status", "ready"}}
                                   : json{{"status", "degraded"}, {"problems", problems}};

    std::vector<const WorkerInfo*> each;
    for (const auto& [_, w] : workers_.all()) each.push_back(&w);
    std::sort(each.begin(), each.end(),
              [](const WorkerInfo* a, const WorkerInfo* b) { return a->name < b->name; });
    json workers = json::array();
    for (const WorkerInfo* w : each) {
        if (workers.size() == kMaxWorkersShown) break;
        workers.push_back({{"name", util::cut_utf8(w->name, kMaxWorkerName)},
                           {"channels", w->channels},
                           {"credit", w->credit},
                           {"in_flight", w->in_flight.size()},
                           {"draining", w->draining},
                           {"seen_ms_ago", std::max<Millis>(0, now - w->last_seen)}});
    }
    return json{{"version", NOTIFY_VERSION},
                {"runtime_dir", config_.runtime_dir},
                {"listen", config_.router.listen},
                {"control", config_.router.control},
                {"health", std::move(health)},
                {"queued",
                 {{"high", g.queued[static_cast<std::size_t>(Priority::high)]},
                  {"medium", g.queued[static_cast<std::size_t>(Priority::medium)]},
                  {"low", g.queued[static_cast<std::size_t>(Priority::low)]}}},
                {"in_flight", g.in_flight},
                {"unfinished", active_.size() + sleepers_.size()},
                {"fanouts_expanding", g.fanouts_expanding},
                {"workers_connected", workers_.size()},
                {"workers", std::move(workers)}}
        .dump();
}

}  // namespace notify::router
