// provider_choice.hpp - which of a channel's providers takes a delivery's next
// attempt, and which providers are healthy.
//
// First attempt: with [channels.NAME] weights, smooth weighted round robin among
// the providers of weight above 0 (3:1 gives exactly three of every four, spread
// out: a a b a); without weights, the first provider in order. A retry goes to
// the provider after the one that failed, in channel order, preferring the ones
// not tried since the delivery's last backoff. In every case a provider that is
// down, or out of rate capacity (rate_limiter.hpp), is passed over when another
// can take the attempt; a channel none of whose providers has capacity is
// blocked, and its deliveries wait in their queue.
//
// Health: after `failures_to_down` (3) retryable failures in a row a provider is
// down for `down_for` (30s): first attempts and failovers go to the others. When
// that time has passed it is tried again; one more failure makes it down again,
// any success makes it healthy. Only failures that tell of the provider count
// (the router leaves out the worker's own and per-recipient waits).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "config.hpp"
#include "rate_limiter.hpp"

namespace notify::router {

struct HealthRules {
    int failures_to_down = 3;
    Millis down_for = 30'000;
};

struct ProviderPick {
    // chosen: `provider` takes it. blocked: no provider of the channel has rate
    // capacity. wait: a failover whose untried providers are all at their rate
    // limit waits for the first to free up, at `at` (rather than go back at once to
    // one that just failed). unconfigured: the channel is gone from the config.
    enum class Kind { chosen, blocked, wait, unconfigured };
    Kind kind = Kind::unconfigured;
    std::string provider;
    Millis at = 0;
};

class ProviderChoice {
  public:
    ProviderChoice(const Config& config, RateLimiter& limiter, HealthRules rules = {});

    // The provider for a delivery's next attempt on `channel`. `failed` is the
    // provider of its last attempt ("" for a first attempt), `tried` the providers
    // that failed for it since its last backoff (not empty: a failover, which only
    // goes to the others). Does not take the capacity (the dispatch does).
    ProviderPick choose(const std::string& channel, const std::string& failed,
                        const std::vector<std::string>& tried, Millis now);
    // The provider an immediate retry goes to after `failed` failed: the next one in
    // channel order that is neither in `tried` nor down; "" when there is none (the
    // retry waits for its backoff).
    std::string failover(const std::string& channel, const std::string& failed,
                         const std::vector<std::string>& tried, Millis now) const;
    // True when `channel` is configured and none of its providers has rate capacity.
    bool blocked(const std::string& channel, Millis now);
    // When the first provider of `channel` has capacity again (`now` if one has).
    Millis next_free(const std::string& channel, Millis now);
    // True when some provider of `channel` is rate limited (the channel can block).
    bool can_block(const std::string& channel) const;

    // Outcomes of attempts, for health. Permanent failures say nothing about it.
    void succeeded(const std::string& provider);
    void failed(const std::string& provider, Millis now);
    bool down(const std::string& provider, Millis now) const;

  private:
    struct Health {
        int failures = 0;  // retryable failures in a row
        Millis down_until = 0;
    };
    // Smooth weighted round robin over the providers (indexes) in `among`.
    std::size_t weighted_pick(const ChannelConfig& ch, const std::vector<std::size_t>& among);

    const Config& config_;
    RateLimiter& limiter_;
    HealthRules rules_;
    std::unordered_map<std::string, Health> health_;
    std::unordered_map<std::string, std::vector<long>> current_;  // per channel, per provider
};

}  // namespace notify::router
