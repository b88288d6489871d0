// provider_choice.hpp - which of a channel's providers takes a delivery's next
// attempt, and which providers are healthy.
//
// First attempt: with [channels.NAME] weights, smooth weighted round robin among
// the providers of weight above 0 (3:1 gives exactly three of every four, spread
// out: a a b a); without weights, the first provider in order. A retry goes to
// the provider after the one that failed, in channel order, preferring the ones
// not tried since the delivery's last backoff. In every case the provider
// chosen has rate capacity (rate_limiter.hpp), room under its cap of attempts
// in flight (connection_caps.hpp) and its circuit breaker (breakers.hpp)
// admits the attempt; a channel with no such provider is blocked, and its
// deliveries wait in their queue, until one frees up or half-opens. Only failures that tell of the
// provider count toward its breaker (the router leaves out the worker's own refusals and
// per-recipient waits).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "breakers.hpp"
#include "config.hpp"
#include "connection_caps.hpp"
#include "rate_limiter.hpp"

namespace notify::router {

struct ProviderPick {
    // chosen: `provider` takes it. blocked: no provider of the channel has rate
    // capacity, room under its cap and a breaker that admits an attempt. wait: a
    // failover whose untried providers cannot take it now waits for the first
    // that can, at `at` (rather than go back at once to one that just failed).
    // held: a failover whose untried provider only lacks room under its cap
    // waits for an answer to free one, while the channel's other deliveries
    // go on. unconfigured: the channel is gone from the config.
    enum class Kind { chosen, blocked, wait, held, unconfigured };
    Kind kind = Kind::unconfigured;
    std::string provider;
    Millis at = 0;
};

class ProviderChoice {
  public:
    // The breakers' rules come from [router] unless `rules` are given.
    ProviderChoice(const Config& config, RateLimiter& limiter,
                   std::optional<BreakerRules> rules = std::nullopt);

    // The provider for a delivery's next attempt on `channel`. `failed` is the
    // provider of its last attempt ("" for a first attempt), `tried` the providers
    // that failed for it since its last backoff (not empty: a failover, which only
    // goes to the others). Does not take the capacity (the dispatch does).
    ProviderPick choose(const std::string& channel, const std::string& failed,
                        const std::vector<std::string>& tried, Millis now);
    // The provider an immediate retry goes to after `failed` failed: the next one in
    // channel order that is not in `tried` and whose breaker admits it; "" when
    // there is none (the retry waits for its backoff). `any_breaker`: whatever
    // its breaker says (after a permanent failure, which has no backoff to wait
    // for: the delivery waits for that provider instead).
    std::string failover(const std::string& channel, const std::string& failed,
                         const std::vector<std::string>& tried, Millis now,
                         bool any_breaker = false);
    // True when `channel` is configured and none of its providers can take an
    // attempt now (rate capacity, cap of attempts in flight, breaker).
    bool blocked(const std::string& channel, Millis now);
    // When the first provider of `channel` can take one again (`now` if one
    // can); 0 when only an answer can free one (each is at its cap).
    Millis next_free(const std::string& channel, Millis now);
    // True when every provider of `channel` is rate limited or capped (the
    // channel can block while all breakers are closed).
    bool can_block(const std::string& channel) const;

    // The providers' breakers: attempts' outcomes go there.
    Breakers& breakers() { return breakers_; }
    const Breakers& breakers() const { return breakers_; }
    // The attempts in flight per provider: dispatches and their ends go there.
    ConnectionCaps& caps() { return caps_; }
    const ConnectionCaps& caps() const { return caps_; }

  private:
    // Whether `provider` can take an attempt now.
    bool free(const std::string& provider, Millis now);
    // Smooth weighted round robin over the providers (indexes) in `among`.
    std::size_t weighted_pick(const ChannelConfig& ch, const std::vector<std::size_t>& among);

    const Config& config_;
    RateLimiter& limiter_;
    Breakers breakers_;
    ConnectionCaps caps_;
    std::unordered_map<std::string, std::vector<long>> current_;  // per channel, per provider
};

}  // namespace notify::router
