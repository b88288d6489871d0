// connection_caps.cpp - attempts in flight per provider against its cap.
#include "connection_caps.hpp"

#include "provider_type.hpp"

namespace notify::router {

ConnectionCaps::ConnectionCaps(const Config& config) {
    for (const auto& [name, p] : config.providers) set_cap(name, configured(config, name));
}

long ConnectionCaps::configured(const Config& config, const std::string& provider) {
    const auto& p = config.providers.at(provider);
    const ProviderType* type = find_provider_type(p.type);
    return type && type->multiplexed ? 0 : p.max_connections;
}

void ConnectionCaps::set_cap(const std::string& provider, long most) {
    caps_[provider].most = most;
}

bool ConnectionCaps::capped(const std::string& provider) const {
    auto it = caps_.find(provider);
    return it != caps_.end() && it->second.most > 0;
}

bool ConnectionCaps::has_room(const std::string& provider) const {
    auto it = caps_.find(provider);
    return it == caps_.end() || it->second.most == 0 || it->second.held < it->second.most;
}

void ConnectionCaps::take(const std::string& provider, const std::string& delivery, int attempt) {
    forget(delivery);
    holding_.try_emplace(delivery, provider, attempt);
    ++caps_[provider].held;
}

void ConnectionCaps::release(const std::string& delivery, int attempt) {
    auto it = holding_.find(delivery);
    if (it != holding_.end() && it->second.second == attempt) forget(delivery);
}

void ConnectionCaps::forget(const std::string& delivery) {
    auto it = holding_.find(delivery);
    if (it == holding_.end()) return;
    if (auto cap = caps_.find(it->second.first); cap != caps_.end() && cap->second.held > 0)
        --cap->second.held;
    holding_.erase(it);
}

long ConnectionCaps::in_flight(const std::string& provider) const {
    auto it = caps_.find(provider);
    return it == caps_.end() ? 0 : it->second.held;
}

}  // namespace notify::router
