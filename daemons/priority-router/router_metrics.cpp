// router_metrics.cpp - the router's figures and their exposition; see
// router_metrics.hpp.
#include "router_metrics.hpp"

#include <algorithm>

namespace notify::router {

using util::prometheus::Histogram;
using util::prometheus::Text;

namespace {

constexpr std::string_view kOther = "_other";

std::vector<std::string> provider_names(const Config& c) {
    std::vector<std::string> out;
    for (const auto& [name, _] : c.providers) out.push_back(name);
    return out;
}

double seconds(Millis ms) {
    return static_cast<double>(std::max<Millis>(ms, 0)) / 1000.0;
}

}  // namespace

NameIndex::NameIndex(std::vector<std::string> names) : names_(std::move(names)) {}

std::size_t NameIndex::of(std::string_view name) {
    for (std::size_t i = 0; i < names_.size(); ++i)
        if (names_[i] == name) return i;
    if (names_.size() < kMaxNames) {
        names_.emplace_back(name);
        return names_.size() - 1;
    }
    if (other_ == SIZE_MAX) {
        other_ = names_.size();
        names_.emplace_back(kOther);
    }
    return other_;
}

RouterMetrics::RouterMetrics(const Config& config)
    : states_(delivery_state_names().size()),
      channels_(config.channel_names()),
      provider_names_(provider_names(config)) {}

RouterGauges RouterMetrics::empty_gauges() const {
    RouterGauges g;
    g.active.assign(channels_.size(), std::vector<std::int64_t>(states_, 0));
    return g;
}

RouterMetrics::StateCounts& RouterMetrics::deliveries(std::size_t channel) {
    if (channel >= deliveries_.size()) {
        deliveries_.resize(channels_.size(), StateCounts(1 + states_, 0));
        sent_.resize(channels_.size(), Histogram(util::prometheus::kDeliveryBuckets));
    }
    return deliveries_[channel];
}

RouterMetrics::ProviderFigures& RouterMetrics::providers(std::string_view provider) {
    const std::size_t i = provider_names_.of(provider);
    if (i >= providers_.size()) providers_.resize(provider_names_.size());
    return providers_[i];
}

void RouterMetrics::entered(std::size_t channel, DeliveryState state, Millis waited_ms) {
    const auto s = static_cast<std::size_t>(state);
    StateCounts& counts = deliveries(channel);
    if (s + 1 < counts.size()) ++counts[s + 1];
    if (state == DeliveryState::sent) sent_[channel].observe(seconds(waited_ms));
}

void RouterMetrics::answered(std::string_view provider, wire::Outcome outcome, Millis took_ms) {
    ProviderFigures& p = providers(provider);
    ++p.outcomes[static_cast<std::size_t>(outcome)];
    if (took_ms >= 0) p.seconds.observe(seconds(took_ms));
}

void RouterMetrics::committed(double secs, bool ok) {
    if (ok)
        commit_seconds_.observe(secs);
    else
        ++commit_failures_;
}

std::string RouterMetrics::render(const RouterGauges& g) const {
    Text o;
    render_deliveries(o, g);
    render_providers(o, g);
    render_workers_and_fanouts(o, g);
    o.family("notify_router_store_commit_seconds", "histogram",
             "Time of one commit of the router's transitions (with their events and rollups).");
    o.histogram("notify_router_store_commit_seconds", {}, commit_seconds_);
    o.family("notify_router_store_commit_failures_total", "counter",
             "Commits of the router's transitions that the store refused (kept and tried again).");
    o.sample("notify_router_store_commit_failures_total", {}, commit_failures_);
    return o.str();
}

void RouterMetrics::render_deliveries(Text& o, const RouterGauges& g) const {
    const StateCounts none(1 + states_, 0);
    o.family("notify_deliveries_total", "counter",
             "Deliveries the router took in (state=\"accepted\") and its transitions into each "
             "state, since it started.");
    for (std::size_t c = 0; c < channels_.size(); ++c) {
        const StateCounts& n = c < deliveries_.size() ? deliveries_[c] : none;
        const std::string& channel = channels_.name(c);
        o.sample("notify_deliveries_total", {{"channel", channel}, {"state", "accepted"}}, n[0]);
        for (std::size_t s = 0; s < states_; ++s)
            o.sample("notify_deliveries_total",
                     {{"channel", channel}, {"state", to_string(static_cast<DeliveryState>(s))}},
                     n[s + 1]);
    }
    o.family("notify_deliveries_active", "gauge",
             "Unfinished deliveries the router holds, by state.");
    for (std::size_t c = 0; c < channels_.size() && c < g.active.size(); ++c)
        for (std::size_t s = 0; s < states_ && s < g.active[c].size(); ++s) {
            const auto state = static_cast<DeliveryState>(s);
            if (is_final(state)) continue;
            o.sample("notify_deliveries_active",
                     {{"channel", channels_.name(c)}, {"state", to_string(state)}}, g.active[c][s]);
        }
    o.family("notify_queue_depth", "gauge", "Deliveries queued for a worker, by priority.");
    for (int p = 0; p < kPriorityCount; ++p)
        o.sample("notify_queue_depth", {{"priority", to_string(static_cast<Priority>(p))}},
                 g.queued[static_cast<std::size_t>(p)]);
    o.family("notify_in_flight", "gauge", "Deliveries handed to a worker and not answered yet.");
    o.sample("notify_in_flight", {}, g.in_flight);
    o.family("notify_accept_to_sent_seconds", "histogram",
             "Time from a delivery's acceptance to its sending (retries and schedules included).");
    const Histogram empty(util::prometheus::kDeliveryBuckets);
    for (std::size_t c = 0; c < channels_.size(); ++c)
        o.histogram("notify_accept_to_sent_seconds", {{"channel", channels_.name(c)}},
                    c < sent_.size() ? sent_[c] : empty);
}

void RouterMetrics::render_providers(Text& o, const RouterGauges& g) const {
    const ProviderFigures none;
    auto of = [&](std::size_t i) -> const ProviderFigures& {
        return i < providers_.size() ? providers_[i] : none;
    };
    o.family("notify_dispatches_total", "counter", "Attempts handed to workers, by provider.");
    for (std::size_t i = 0; i < provider_names_.size(); ++i)
        o.sample("notify_dispatches_total", {{"provider", provider_names_.name(i)}},
                 of(i).dispatched);
    o.family("notify_attempts_total", "counter",
             "Attempts whose worker reported an outcome, by provider and outcome.");
    for (std::size_t i = 0; i < provider_names_.size(); ++i)
        for (auto outcome :
             {wire::Outcome::sent, wire::Outcome::retryable, wire::Outcome::permanent})
            o.sample("notify_attempts_total",
                     {{"provider", provider_names_.name(i)}, {"outcome", wire::to_string(outcome)}},
                     of(i).outcomes[static_cast<std::size_t>(outcome)]);
    o.family("notify_provider_request_seconds", "histogram",
             "An attempt's time in its worker, every request to the provider included.");
    for (std::size_t i = 0; i < provider_names_.size(); ++i)
        o.histogram("notify_provider_request_seconds", {{"provider", provider_names_.name(i)}},
                    of(i).seconds);
    o.family("notify_provider_healthy", "gauge",
             "1 while a provider's circuit breaker is closed; 0 while it is open or half-open.");
    for (const auto& [name, state] : g.breakers)
        o.sample("notify_provider_healthy", {{"provider", name}},
                 state == BreakerState::closed ? 1 : 0);
    o.family("notify_provider_in_flight", "gauge",
             "Attempts a provider has in flight, held against its max_connections.");
    for (const auto& [name, held] : g.provider_in_flight)
        o.sample("notify_provider_in_flight", {{"provider", name}}, held);
    constexpr BreakerState kStates[] = {BreakerState::closed, BreakerState::open,
                                        BreakerState::half_open};
    o.family("notify_provider_breaker", "gauge",
             "A provider's circuit breaker: 1 for its state (closed, open, half-open), 0 for the "
             "others.");
    for (const auto& [name, state] : g.breakers)
        for (BreakerState s : kStates)
            o.sample("notify_provider_breaker", {{"provider", name}, {"state", to_string(s)}},
                     state == s ? 1 : 0);
    o.family("notify_provider_breaker_changes_total", "counter",
             "Changes of a provider's circuit breaker into each state.");
    for (std::size_t i = 0; i < provider_names_.size(); ++i)
        for (BreakerState s : kStates)
            o.sample("notify_provider_breaker_changes_total",
                     {{"provider", provider_names_.name(i)}, {"state", to_string(s)}},
                     of(i).breaker_changes[static_cast<std::size_t>(s)]);
}

void RouterMetrics::render_workers_and_fanouts(Text& o, const RouterGauges& g) const {
    o.family("notify_workers", "gauge", "Channel workers connected to the router.");
    o.sample("notify_workers", {}, g.workers_connected);
    o.family("notify_worker_in_flight", "gauge", "Deliveries a worker holds, by worker.");
    for (const auto& w : g.workers)
        o.sample("notify_worker_in_flight", {{"worker", w.name}}, w.in_flight);
    o.family("notify_worker_credit", "gauge",
             "Deliveries a worker has asked for and not been handed yet, by worker.");
    for (const auto& w : g.workers)
        o.sample("notify_worker_credit", {{"worker", w.name}}, w.credit);
    o.family("notify_fanout_recipients_total", "counter",
             "Deliveries written by expanding sends to users and groups (suppressed ones too).");
    o.sample("notify_fanout_recipients_total", {}, fanout_recipients_);
    o.family("notify_fanouts_done_total", "counter", "Sends to users and groups fully expanded.");
    o.sample("notify_fanouts_done_total", {}, fanouts_done_);
    o.family("notify_fanouts_expanding", "gauge", "Sends to users and groups being expanded.");
    o.sample("notify_fanouts_expanding", {}, g.fanouts_expanding);
}

}  // namespace notify::router
