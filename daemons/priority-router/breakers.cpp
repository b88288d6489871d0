// breakers.cpp - the providers' circuit breakers; see breakers.hpp.
#include "breakers.hpp"

#include <algorithm>

#include "util/log.hpp"

namespace notify::router {

const char* to_string(BreakerState s) {
    switch (s) {
        case BreakerState::closed:
            return "closed";
        case BreakerState::open:
            return "open";
        case BreakerState::half_open:
            return "half-open";
    }
    return "closed";
}

void Breakers::tick(Millis now) {
    if (not_closed_ == 0) return;
    for (auto& [provider, b] : breakers_) {
        if (b.state == BreakerState::open && now >= b.open_until)
            change(provider, b, BreakerState::half_open, now,
                   "its cool-down of " + util::format_duration(b.cooldown) +
                       " is over; the next attempt probes it");
        if (b.state == BreakerState::half_open && !b.probe.empty() && now >= b.probe_deadline) {
            NLOG(warning, "",
                 "provider=" << provider << " probe delivery=" << b.probe
                             << " was not answered in time; the next attempt probes it");
            release_probe(b);
        }
    }
}

bool Breakers::admits(const std::string& provider) const {
    if (blocking_ == 0) return true;
    auto it = breakers_.find(provider);
    return it == breakers_.end() || it->second.admits();
}

Millis Breakers::admits_at(const std::string& provider, Millis now) const {
    auto it = breakers_.find(provider);
    if (it == breakers_.end()) return now;
    const Breaker& b = it->second;
    if (b.state == BreakerState::open) return std::max(now, b.open_until);
    if (b.state == BreakerState::half_open && !b.probe.empty())
        return std::max(now, b.probe_deadline);
    return now;
}

void Breakers::dispatched(const std::string& provider, AttemptRef attempt, Millis answer_by) {
    if (not_closed_ == 0) return;
    auto it = breakers_.find(provider);
    if (it == breakers_.end() || it->second.state != BreakerState::half_open) return;
    Breaker& b = it->second;
    if (!b.probe.empty()) return;
    b.probe = attempt.delivery;
    b.probe_attempt = attempt.attempt;
    b.probe_deadline = answer_by;
    recount(b);
    NLOG(info, "",
         "provider=" << provider << " is half-open: delivery=" << b.probe
                     << " attempt=" << b.probe_attempt << " probes it");
}

void Breakers::succeeded(const std::string& provider, AttemptRef attempt, Millis now) {
    auto it = breakers_.find(provider);
    if (it == breakers_.end()) return;
    Breaker& b = it->second;
    if (b.state == BreakerState::closed) {
        breakers_.erase(it);  // the count of failures in a row starts again
        return;
    }
    if (!b.is_probe(attempt)) return;  // sent before it opened
    change(provider, b, BreakerState::closed, now, "its probe succeeded");
    breakers_.erase(it);
}

void Breakers::failed(const std::string& provider, AttemptRef attempt, Millis now) {
    if (provider.empty()) return;
    Breaker& b = breakers_[provider];
    switch (b.state) {
        case BreakerState::closed:
            if (++b.failures >= rules_.failures)
                open(provider, b, rules_.cooldown, now,
                     "after " + std::to_string(b.failures) + " retryable failures in a row");
            return;
        case BreakerState::open:
            return;  // an attempt sent before it opened
        case BreakerState::half_open:
            if (!b.is_probe(attempt)) return;
            ++b.failures;
            open(provider, b, std::min(b.cooldown * 2, rules_.cooldown_max), now,
                 "its probe failed");
            return;
    }
}

void Breakers::answered_neutral(const std::string& provider, AttemptRef attempt) {
    auto it = breakers_.find(provider);
    if (it != breakers_.end() && it->second.is_probe(attempt)) release_probe(it->second);
}

BreakerState Breakers::state(const std::string& provider) const {
    auto it = breakers_.find(provider);
    return it == breakers_.end() ? BreakerState::closed : it->second.state;
}

BreakerView Breakers::view(const std::string& provider) const {
    auto it = breakers_.find(provider);
    if (it == breakers_.end()) return {provider, BreakerState::closed, 0, 0, 0, {}};
    const Breaker& b = it->second;
    return {provider,   b.state, b.failures, b.state == BreakerState::open ? b.open_until : 0,
            b.cooldown, b.probe};
}

std::vector<BreakerChange> Breakers::take_changes() {
    std::vector<BreakerChange> out;
    out.swap(changes_);
    return out;
}

void Breakers::open(const std::string& provider, Breaker& b, Millis cooldown, Millis now,
                    std::string reason) {
    b.cooldown = std::max(cooldown, rules_.cooldown);
    b.open_until = now + b.cooldown;
    b.probe.clear();
    change(provider, b, BreakerState::open, now,
           std::move(reason) + "; no attempt goes to it for " + util::format_duration(b.cooldown));
}

void Breakers::release_probe(Breaker& b) {
    b.probe.clear();
    b.probe_attempt = 0;
    recount(b);
}

void Breakers::recount(Breaker& b) {
    const bool blocks = !b.admits();
    if (blocks == b.blocks) return;
    b.blocks = blocks;
    if (blocks)
        ++blocking_;
    else
        --blocking_;
}

void Breakers::change(const std::string& provider, Breaker& b, BreakerState to, Millis now,
                      std::string reason) {
    if (b.state == BreakerState::closed && to != BreakerState::closed) ++not_closed_;
    if (b.state != BreakerState::closed && to == BreakerState::closed) --not_closed_;
    if (to == BreakerState::closed) b.failures = 0;
    const BreakerState from = b.state;
    b.state = to;
    if (to != BreakerState::half_open) b.probe.clear();
    recount(b);
    if (to == BreakerState::open)
        NLOG(warning, "",
             "provider=" << provider << " breaker " << to_string(from) << " -> open: " << reason);
    else
        NLOG(info, "",
             "provider=" << provider << " breaker " << to_string(from) << " -> " << to_string(to)
                         << ": " << reason);
    changes_.push_back({provider, to, now, std::move(reason)});
}

}  // namespace notify::router
