// connection_caps.hpp - how many attempts each provider has in flight, and the
// most it may have ([providers.NAME] max_connections, default 32), counted
// over every worker: the router is the one process that sees every dispatch.
// A burst to one webhook receiver then opens no more connections to it than
// that (a worker reuses a connection once its answer is in). Types that
// multiplex their attempts over HTTP/2 (ProviderType::multiplexed: apns, fcm)
// are not capped. An attempt is held from its dispatch until its answer, its
// lease running out, its worker leaving, the next attempt of its delivery or
// the delivery's end, whichever comes first; an answer to an attempt the
// router gave up on frees nothing more.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>

#include "config.hpp"

namespace notify::router {

class ConnectionCaps {
  public:
    ConnectionCaps() = default;
    // Every configured provider's cap.
    explicit ConnectionCaps(const Config& config);
    // The cap `provider` has in `config` (0 for a multiplexed one: none).
    static long configured(const Config& config, const std::string& provider);

    // `most` attempts in flight at once for `provider`; 0: no cap.
    void set_cap(const std::string& provider, long most);
    bool capped(const std::string& provider) const;
    // True when `provider` may take one more attempt now.
    bool has_room(const std::string& provider) const;
    // Attempt `attempt` of `delivery` went to `provider` (any earlier one it
    // held is given up).
    void take(const std::string& provider, const std::string& delivery, int attempt);
    // That attempt is over; nothing when it is not the one held.
    void release(const std::string& delivery, int attempt);
    // The delivery ended: whatever it holds is free.
    void forget(const std::string& delivery);
    long in_flight(const std::string& provider) const;

  private:
    struct Cap {
        long most = 0;
        long held = 0;
    };
    std::unordered_map<std::string, Cap> caps_;
    // Per delivery, the provider and attempt it holds a place with.
    std::unordered_map<std::string, std::pair<std::string, int>> holding_;
};

}  // namespace notify::router
