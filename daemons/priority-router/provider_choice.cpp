// provider_choice.cpp - weighted first attempts, failover order and provider
// health; see provider_choice.hpp.
#include "provider_choice.hpp"

#include <algorithm>

#include "util/log.hpp"

namespace notify::router {

ProviderChoice::ProviderChoice(const Config& config, RateLimiter& limiter, HealthRules rules)
    : config_(config), limiter_(limiter), rules_(rules) {}

ProviderPick ProviderChoice::choose(const std::string& channel, const std::string& failed,
                                    const std::vector<std::string>& tried, Millis now) {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return {ProviderPick::Kind::unconfigured, "", 0};
    const auto& ps = ch->providers;
    const std::size_t n = ps.size();
    std::vector<bool> capacity(n), up(n);
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
        capacity[i] = limiter_.has_capacity(ps[i], now);
        up[i] = !down(ps[i], now);
        any = any || capacity[i];
    }
    if (!any) return {ProviderPick::Kind::blocked, "", 0};
    auto chosen = [&](std::size_t i) { return ProviderPick{ProviderPick::Kind::chosen, ps[i], 0}; };

    if (failed.empty()) {
        // Healthy providers first, then any with capacity; within them the weighted
        // ones share the attempts, else the first in order takes it.
        for (bool need_up : {true, false}) {
            std::vector<std::size_t> weighted;
            std::size_t first = n;
            for (std::size_t i = 0; i < n; ++i) {
                if (!capacity[i] || (need_up && !up[i])) continue;
                if (first == n) first = i;
                if (!ch->weights.empty() && ch->weights[i] > 0) weighted.push_back(i);
            }
            if (!weighted.empty()) return chosen(weighted_pick(*ch, weighted));
            if (first < n) return chosen(first);
        }
    }

    // A retry: the providers after the one that failed, in channel order (itself
    // last), healthy before down. A failover only considers those not tried since
    // the last backoff.
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
    for (bool need_up : {true, false})
        for (std::size_t i : order)
            if (capacity[i] && (!need_up || up[i])) return chosen(i);
    if (failing_over) {
        ProviderPick wait{ProviderPick::Kind::wait, "", 0};
        for (std::size_t i : order) {
            const Millis at = limiter_.next_free(ps[i], now);
            if (wait.at == 0 || at < wait.at) {
                wait.at = at;
                wait.provider = ps[i];
            }
        }
        return wait;
    }
    return {ProviderPick::Kind::blocked, "", 0};  // not reached: some provider has capacity
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
                                     const std::vector<std::string>& tried, Millis now) const {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return "";
    const auto& ps = ch->providers;
    const std::size_t n = ps.size();
    std::size_t start = 0;
    if (auto it = std::find(ps.begin(), ps.end(), failed); it != ps.end())
        start = static_cast<std::size_t>(it - ps.begin() + 1) % n;
    for (std::size_t k = 0; k < n; ++k) {
        const std::string& p = ps[(start + k) % n];
        if (p == failed || std::find(tried.begin(), tried.end(), p) != tried.end()) continue;
        if (down(p, now)) continue;
        return p;
    }
    return "";
}

bool ProviderChoice::blocked(const std::string& channel, Millis now) {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return false;
    for (const auto& p : ch->providers)
        if (limiter_.has_capacity(p, now)) return false;
    return true;
}

Millis ProviderChoice::next_free(const std::string& channel, Millis now) {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return now;
    Millis at = 0;
    for (const auto& p : ch->providers) {
        const Millis p_free = limiter_.next_free(p, now);
        at = at == 0 ? p_free : std::min(at, p_free);
    }
    return at;
}

bool ProviderChoice::can_block(const std::string& channel) const {
    const ChannelConfig* ch = config_.channel(channel);
    if (!ch || ch->providers.empty()) return false;
    for (const auto& p : ch->providers)
        if (!limiter_.limited(p)) return false;
    return true;
}

void ProviderChoice::succeeded(const std::string& provider) {
    auto it = health_.find(provider);
    if (it == health_.end()) return;
    if (it->second.down_until != 0)
        NLOG(info, "", "provider=" << provider << " is up again: an attempt succeeded");
    health_.erase(it);
}

void ProviderChoice::failed(const std::string& provider, Millis now) {
    if (provider.empty()) return;
    Health& h = health_[provider];
    ++h.failures;
    if (h.failures < rules_.failures_to_down || now < h.down_until) return;
    const bool again = h.down_until != 0;
    h.down_until = now + rules_.down_for;
    if (again)
        NLOG(warning, "",
             "provider=" << provider << " failed again after its pause; down for another "
                         << util::format_duration(rules_.down_for));
    else
        NLOG(warning, "",
             "provider=" << provider << " is down after " << h.failures
                         << " retryable failures in a row; other providers take its "
                            "attempts for "
                         << util::format_duration(rules_.down_for));
}

bool ProviderChoice::down(const std::string& provider, Millis now) const {
    auto it = health_.find(provider);
    return it != health_.end() && now < it->second.down_until;
}

}  // namespace notify::router
