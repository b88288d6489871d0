// router_presence.cpp - what the router says of itself in its row of
// cluster_members (store/presence.hpp), every Presence::kBeat: whether it can
// do its job (ready, or degraded and why), its queues, and each worker
// connected to it, for `notifyctl cluster status`.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "lease_keeper.hpp"
#include "router.hpp"
#include "store/presence.hpp"
#include "util/strings.hpp"

namespace notify::router {

namespace {
constexpr std::size_t kMaxWorkersShown = 1000;
constexpr std::size_t kMaxWorkerName = 128;

// What every router says of itself, delivering or not.
nlohmann::json identity(const Config& config) {
    return {{"version", NOTIFY_VERSION},
            {"runtime_dir", config.runtime_dir},
            {"listen", config.router.listen},
            {"control", config.router.control}};
}
}  // namespace

std::string standby_description(const Config& config, const LeaseKeeper& lease) {
    nlohmann::json out = identity(config);
    out["health"] = {{"status", "standby"}};
    out["lease"] = lease.description();
    return out.dump();
}

void Router::announce_with(store::Presence& presence) {
    presence_ = &presence;
}

void Router::hold_with(LeaseKeeper& lease) {
    lease_ = &lease;
    auto [partitions, version] = lease.serve_assigned();
    assignment_ = version;
    serve(std::move(partitions));
}

std::string Router::self_description(Millis now) const {
    using nlohmann::json;
    const RouterGauges g = gauges();
    json problems = json::array();
    if (workers_.size() == 0) problems.push_back("no worker is connected: nothing is delivered");
    if (backoff_.failing()) problems.push_back("the store refuses the router's writes");
    if (lease_ && !lease_->dispatching())
        problems.push_back("its lease on the deliveries is not renewed: it hands out no work");
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
    json out = identity(config_);
    out.update({{"health", std::move(health)},
                {"lease", lease_ ? lease_->description() : json(nullptr)},
                {"queued",
                 {{"high", g.queued[static_cast<std::size_t>(Priority::high)]},
                  {"medium", g.queued[static_cast<std::size_t>(Priority::medium)]},
                  {"low", g.queued[static_cast<std::size_t>(Priority::low)]}}},
                {"in_flight", g.in_flight},
                {"unfinished", active_.size() + sleepers_.size()},
                {"fanouts_expanding", g.fanouts_expanding},
                {"workers_connected", workers_.size()},
                {"workers", std::move(workers)}});
    return out.dump();
}

}  // namespace notify::router
