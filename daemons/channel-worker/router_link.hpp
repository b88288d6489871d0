// router_link.hpp - the worker's link to the router, as ZeroMQ sets it up:
// with worker.curve_secret_key and worker.router_public_key set, the DEALER
// is a CURVE (ZeroMQ RFC 26) client, its traffic encrypted and the router
// checking its key (worker_auth.hpp in the router). Every handshake is
// watched, since libzmq only tries again when one fails: a failure is logged
// (at once, then at most every 10 s with a count) with what it most likely
// means (the router refused this worker's key, one side uses CURVE and the
// other does not, the key given is not the router's), and the first handshake
// that succeeds after failures is logged once.
#pragma once

#include <memory>
#include <string>
#include <zmq.hpp>

#include "config.hpp"
#include "util/error.hpp"
#include "util/repeated_failure.hpp"

namespace notify::worker {

class RouterLink {
  public:
    // Sets `dealer` up (before it connects) and watches its handshakes. An
    // unreadable or malformed secret is an error of kind invalid; a libzmq
    // without CURVE one of kind unavailable.
    static Expected<std::unique_ptr<RouterLink>> start(zmq::context_t& context,
                                                       zmq::socket_t& dealer,
                                                       const Config::Worker& config);

    bool curve() const { return !public_key_.empty(); }
    // The descriptor that becomes readable when a handshake has an outcome
    // (edge-triggered, as ZeroMQ's are: take_events() reads them all).
    int fd();
    void take_events();

  private:
    RouterLink(zmq::context_t& context, std::string public_key);
    // What a failed handshake most likely means.
    std::string why(std::uint16_t event, std::uint32_t value) const;

    zmq::socket_t monitor_;
    std::string public_key_;  // this worker's, Z85; empty without CURVE
    util::RepeatedFailure failed_{"the handshake with the router failed"};
};

}  // namespace notify::worker
