// provider_choice.cpp - weighted first attempts, failover order and provider
// health; see provider_choice.hpp.
#include "provider_choice.hpp"

#include <algorithm>

#include "util/log.hpp"

namespace notify::router {

namespace {

BreakerRules rules_of(const Config& c) {
    return {static_cast<int>(c.router.breaker_failures), c.router.breaker_cooldown,
            c.router.breaker_cooldown_max};
}

}  // namespace

ProviderChoice::ProviderChoice(const Config& config, RateLimiter& limiter,
                               std::optional<BreakerRules> rules)
    : config_(config),
      limiter_(limiter),
      breakers_(rules ? *rules : rules_of(config)),
      caps_(config) {}

bool ProviderChoice::free(const std::string& provider, Millis now) {
    return breakers_.admits(provider) && limiter_.has_capacity(provider, now) &&
           caps_.has_room(provider);
}

ProviderPick ProviderChoice::choose(const std::string& channel, const std::string& failed,
                                    const std::vector<std::string>& tried, Millis now) {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return {ProviderPick::Kind::unconfigured, "", 0};
    const auto& ps = ch->providers;
    const std::size_t n = ps.size();
    breakers_.tick(now);
    std::vector<bool> can(n);
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
        can[i] = free(ps[i], now);
        any = any || can[i];
    }
    auto chosen = [&](std::size_t i) { return ProviderPick{ProviderPick::Kind::chosen, ps[i], 0}; };

    if (failed.empty()) {
        if (!any) return {ProviderPick::Kind::blocked, "", 0};
        // The weighted ones share the attempts, else the first in order takes it.
        std::vector<std::size_t> weighted;
        std::size_t first = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (!can[i]) continue;
            if (first == n) first = i;
            if (!ch->weights.empty() && ch->weights[i] > 0) weighted.push_back(i);
        }
        return chosen(weighted.empty() ? first : weighted_pick(*ch, weighted));
    }

    // A retry: the providers after the one that failed, in channel order (itself
    // last). A failover only considers those not tried since the last backoff.
    std::size_t start = 0;
    if (auto it = std::find(ps.begin(), ps.end(), failed); it != ps.end())
        start = static_cast<std::size_t>(it - ps.begin() + 1) % n;
    std::vector<std::size_t> order;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = (start + k) % n;
        if (std::find(tried.begin(), tried.end(), ps[i]) == tried.end()) order.push_back(i);
    }
    const bool failing_over = !tried.empty() && !order.empty();
    if (order.empty())  // every provider failed since the last backoff: take any
        for (std::size_t k = 0; k < n; ++k) order.push_back((start + k) % n);
    for (std::size_t i : order)
        if (can[i]) return chosen(i);
    if (failing_over) {
        // One that only waits for an answer to free a place (its cap) takes
        // it once an answer comes: held, not timed.
        for (std::size_t i : order)
            if (!caps_.has_room(ps[i]) && breakers_.admits(ps[i]) &&
                limiter_.has_capacity(ps[i], now))
                return {ProviderPick::Kind::held, ps[i], 0};
        // The untried ones are at their rate limit or their breakers do not admit
        // attempts: wait for the first to free up rather than go back to one that
        // just failed.
        ProviderPick wait{ProviderPick::Kind::wait, "", 0};
        for (std::size_t i : order) {
            const Millis at = std::max(
                {limiter_.next_free(ps[i], now), breakers_.admits_at(ps[i], now), now + 1});
            if (wait.at == 0 || at < wait.at) {
                wait.at = at;
                wait.provider = ps[i];
            }
        }
        return wait;
    }
    return {ProviderPick::Kind::blocked, "", 0};
}

std::size_t ProviderChoice::weighted_pick(const ChannelConfig& ch,
                                          const std::vector<std::size_t>& among) {
    // Each pick adds every candidate's weight to its running score, takes the
    // highest (the first on a tie) and takes the candidates' total weight off it:
    // over a whole cycle each gets exactly its share, spread as evenly as it goes.
    std::vector<long>& score = current_[ch.name];
    if (score.size() != ch.providers.size()) score.assign(ch.providers.size(), 0);
    long total = 0;
    std::size_t best = among.front();
    for (std::size_t i : among) {
        score[i] += ch.weights[i];
        total += ch.weights[i];
    }
    for (std::size_t i : among)
        if (score[i] > score[best]) best = i;
    score[best] -= total;
    return best;
}

std::string ProviderChoice::failover(const std::string& channel, const std::string& failed,
                                     const std::vector<std::string>& tried, Millis now,
                                     bool any_breaker) {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return "";
    const auto& ps = ch->providers;
    const std::size_t n = ps.size();
    breakers_.tick(now);
    std::size_t start = 0;
    if (auto it = std::find(ps.begin(), ps.end(), failed); it != ps.end())
        start = static_cast<std::size_t>(it - ps.begin() + 1) % n;
    for (std::size_t k = 0; k < n; ++k) {
        const std::string& p = ps[(start + k) % n];
        if (p == failed || std::find(tried.begin(), tried.end(), p) != tried.end()) continue;
        if (any_breaker || breakers_.admits(p)) return p;
    }
    return "";
}

bool ProviderChoice::blocked(const std::string& channel, Millis now) {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return false;
    breakers_.tick(now);
    for (const auto& p : ch->providers)
        if (free(p, now)) return false;
    return true;
}

Millis ProviderChoice::next_free(const std::string& channel, Millis now) {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return now;
    Millis at = 0;
    for (const auto& p : ch->providers) {
        if (!caps_.has_room(p)) continue;  // an answer frees it, not a time
        const Millis p_free = std::max(limiter_.next_free(p, now), breakers_.admits_at(p, now));
        at = at == 0 ? p_free : std::min(at, p_free);
    }
    return at;
}

bool ProviderChoice::can_block(const std::string& channel) const {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return false;
    for (const auto& p : ch->providers)
        if (!limiter_.limited(p) && !caps_.capped(p)) return false;
    return true;
}

}  // namespace notify::router
