// router_metrics.hpp - what the router counts for GET /metrics, which ingest
// serves with its own (the router answers {"op":"metrics"} on router.control
// with this exposition). The router sees every delivery after acceptance and
// every worker result, so the figures of deliveries, providers, workers and
// fan-outs are all here. Counters count since the router started.
//
//   notify_deliveries_total{channel,state}         counter: deliveries taken in
//       (state="accepted": new ones read from the store, and at start the
//       unfinished ones found there), and transitions the router made into each
//       state (scheduled ... canceled)
//   notify_deliveries_active{channel,state}        gauge: unfinished deliveries held
//   notify_queue_depth{priority}                   gauge: queued, waiting for a worker
//   notify_in_flight                               gauge: handed to a worker, no result yet
//   notify_dispatches_total{provider}              counter: attempts handed to workers
//   notify_attempts_total{provider,outcome}        counter: results (sent, retryable, permanent)
//   notify_provider_request_seconds{provider}      histogram: an attempt's time in its worker
//   notify_provider_healthy{provider}              gauge: 1 while its breaker is closed
//   notify_provider_in_flight{provider}            gauge: attempts held against its
//       max_connections (connection_caps.hpp)
//   notify_provider_breaker{provider,state}        gauge: 1 for its breaker's state (closed,
//       open, half-open), 0 for the others
//   notify_provider_breaker_changes_total{provider,state}  counter: its breaker's changes
//       into each state
//   notify_accept_to_sent_seconds{channel}         histogram: acceptance to sent
//   notify_workers, notify_worker_in_flight{worker}, notify_worker_credit{worker}  gauges
//   notify_fanout_recipients_total                 counter: deliveries written by expansion
//   notify_fanouts_done_total                      counter: fan-outs fully expanded
//   notify_fanouts_expanding                       gauge
//   notify_router_store_commit_seconds             histogram: one commit of the transition log
//   notify_router_store_commit_failures_total      counter
//
// The hot path is plain increments on vectors indexed by a channel's or
// provider's number: a delivery's entry keeps its channel's number
// (channel_index), and a provider's is found by a scan of a few names.
// Names outside the configuration (a channel removed while deliveries of it
// wait) get numbers too, at most kMaxNames of each; the rest share "_other".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "breakers.hpp"
#include "config.hpp"
#include "model.hpp"
#include "util/prometheus.hpp"
#include "wire.hpp"

namespace notify::router {

// Label values numbered in the order first seen, configured ones first.
class NameIndex {
  public:
    static constexpr std::size_t kMaxNames = 64;
    explicit NameIndex(std::vector<std::string> names);
    std::size_t of(std::string_view name);
    std::size_t size() const { return names_.size(); }
    const std::string& name(std::size_t i) const { return names_[i]; }

  private:
    std::vector<std::string> names_;
    std::size_t other_ = SIZE_MAX;  // the index of "_other", once there is one
};

// What is read from the router's state when a scrape asks.
struct RouterGauges {
    struct Worker {
        std::string name;
        std::size_t in_flight = 0;
        long credit = 0;
    };
    // By channel index, then state (DeliveryState's value); only unfinished
    // states are counted.
    std::vector<std::vector<std::int64_t>> active;
    std::array<std::int64_t, kPriorityCount> queued{};
    std::int64_t in_flight = 0;
    std::size_t workers_connected = 0;
    std::vector<Worker> workers;  // by name (workers of one name are one)
    std::vector<std::pair<std::string, BreakerState>> breakers;    // of the providers configured
    std::vector<std::pair<std::string, long>> provider_in_flight;  // the same, attempts held
    std::size_t fanouts_expanding = 0;
};

class RouterMetrics {
  public:
    explicit RouterMetrics(const Config& config);

    std::size_t channel_index(std::string_view channel) { return channels_.of(channel); }
    // Gauges sized for the channels and states counted.
    RouterGauges empty_gauges() const;

    void accepted(std::size_t channel) { ++deliveries(channel)[0]; }
    // A transition into `state`; `waited_ms`: since acceptance, for sent.
    void entered(std::size_t channel, DeliveryState state, Millis waited_ms);
    void dispatched(std::string_view provider) { ++providers(provider).dispatched; }
    // A worker's result. `took_ms` < 0: not timed (the worker's own refusals).
    void answered(std::string_view provider, wire::Outcome outcome, Millis took_ms);
    void breaker_changed(std::string_view provider, BreakerState to) {
        ++providers(provider).breaker_changes[static_cast<std::size_t>(to)];
    }
    void expanded(std::size_t deliveries, bool done) {
        fanout_recipients_ += deliveries;
        if (done) ++fanouts_done_;
    }
    void committed(double seconds, bool ok);

    std::string render(const RouterGauges& g) const;

  private:
    struct ProviderFigures {
        std::uint64_t dispatched = 0;
        std::array<std::uint64_t, 3> outcomes{};  // by wire::Outcome
        util::prometheus::Histogram seconds{util::prometheus::kRequestBuckets};
        std::array<std::uint64_t, 3> breaker_changes{};  // by BreakerState
    };
    // [0]: accepted, [1 + state]: transitions into it.
    using StateCounts = std::vector<std::uint64_t>;
    StateCounts& deliveries(std::size_t channel);
    ProviderFigures& providers(std::string_view provider);
    void render_deliveries(util::prometheus::Text& o, const RouterGauges& g) const;
    void render_providers(util::prometheus::Text& o, const RouterGauges& g) const;
    void render_workers_and_fanouts(util::prometheus::Text& o, const RouterGauges& g) const;

    const std::size_t states_;  // DeliveryState's values: 0 .. states_ - 1
    NameIndex channels_;
    NameIndex provider_names_;
    std::vector<StateCounts> deliveries_;            // by channel index
    std::vector<util::prometheus::Histogram> sent_;  // accept to sent, by channel index
    std::vector<ProviderFigures> providers_;         // by provider index
    std::uint64_t fanout_recipients_ = 0;
    std::uint64_t fanouts_done_ = 0;
    util::prometheus::Histogram commit_seconds_{util::prometheus::kFastBuckets};
    std::uint64_t commit_failures_ = 0;
};

}  // namespace notify::router
