// provider_states.cpp - what the router tells of its providers' circuit
// breakers (breakers.hpp): each change is a log line (the breaker writes it),
// a count in /metrics and a row of the audit log (actor "router", action
// provider.open, provider.half-open or provider.closed, the provider as its
// target, the reason as its detail); and {"op":"providers"} answers each
// configured provider's state for `notifyctl queue`:
//   {"ok":true,"providers":[{"provider","type","channels":[...],"state",
//     "failures","open_until","cooldown_seconds","probe"}...]}
// with open_until (RFC 3339) while open and probe (a delivery id) while a
// half-open one is probed, else null.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "router.hpp"

namespace notify::router {

using nlohmann::json;

void Router::note_breaker_changes() {
    for (BreakerChange& c : choice_.breakers().take_changes()) {
        metrics_.breaker_changed(c.provider, c.to);
        breaker_audit_.push_back({0, c.at, "router", std::string("provider.") + to_string(c.to),
                                  c.provider, std::move(c.reason)});
    }
}

void Router::write_breaker_audit() {
    for (const auto& entry : breaker_audit_) store::append_audit(store_, entry);
}

std::string Router::providers_reply(Millis now) {
    Breakers& breakers = choice_.breakers();
    breakers.tick(now);
    json list = json::array();
    for (const auto& [name, provider] : config_.providers) {
        const BreakerView v = breakers.view(name);
        json channels = json::array();
        for (const auto& [channel, ch] : config_.channels)
            if (std::find(ch.providers.begin(), ch.providers.end(), name) != ch.providers.end())
                channels.push_back(channel);
        list.push_back({{"provider", name},
                        {"type", provider.type},
                        {"channels", std::move(channels)},
                        {"state", to_string(v.state)},
                        {"failures", v.failures},
                        {"open_until",
                         v.open_until ? json(util::format_rfc3339(v.open_until)) : json(nullptr)},
                        {"cooldown_seconds", v.cooldown / 1000.0},
                        {"probe", v.probe.empty() ? json(nullptr) : json(v.probe)}});
    }
    return json{{"ok", true}, {"providers", std::move(list)}}.dump(-1, ' ', false,
                                                                   json::error_handler_t::replace);
}

}  // namespace notify::router
