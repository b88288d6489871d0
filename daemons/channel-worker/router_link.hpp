// router_link.hpp - the worker's link to one router (worker.router names one or
// several): its DEALER socket, the frames waiting to go to it, its share of the
// worker's credit, and its handshakes.
//
// With worker.curve_secret_key set, the DEALER is a CURVE (ZeroMQ RFC 26)
// client, its traffic encrypted and the router checking its key
// (worker_auth.hpp in the router). Every handshake is watched, since libzmq
// only tries again when one fails: a failure is logged (at once, then at most
// every 10 s with a count) with what it most likely means (the router refused
// this worker's key, one side uses CURVE and the other does not, the key given
// is not the router's), and the first handshake that succeeds after failures
// is logged once.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "config.hpp"
#include "util/error.hpp"
#include "util/repeated_failure.hpp"

namespace notify::worker {

// This worker's CURVE keys, in Z85.
struct CurveClient {
    std::string secret_key;
    std::string public_key;
};

// The keys of worker.curve_secret_key, its public key derived from it; none
// when it is not set. An unreadable or malformed secret is an error of kind
// invalid; a libzmq without CURVE one of kind unavailable.
Expected<std::optional<CurveClient>> curve_client(const Config::Worker& config);

class RouterLink {
  public:
    // A DEALER connected to `endpoint`, the `index`-th router of worker.router,
    // as a CURVE client of `router_key` when `curve` is given. A bad endpoint is
    // an error of kind unavailable.
    static Expected<std::unique_ptr<RouterLink>> open(zmq::context_t& context, std::size_t index,
                                                      const std::string& endpoint, int credit,
                                                      const CurveClient* curve,
                                                      const std::string& router_key);

    const std::string& endpoint() const { return endpoint_; }
    // This router's share of worker.concurrency: the credit announced to it.
    int credit() const { return credit_; }
    // Queues a frame for this router; pump() sends it when the socket takes it.
    void send(std::string frame) { outbox_.push_back(std::move(frame)); }
    // A frame worth nothing late (a heartbeat): sent now if the router is
    // connected (its last handshake succeeded and it has not disconnected
    // since) and nothing waits before it, else dropped, so that a router that
    // is away gathers no backlog of them in libzmq's queue.
    void offer(const std::string& frame);
    bool outbox_empty() const { return outbox_.empty(); }
    std::size_t outbox_size() const { return outbox_.size(); }
    // Sends what waits and hands each frame received to `on_frame`.
    void pump(const std::function<void(const std::string&)>& on_frame);
    // A frame waits to be received (ZMQ_FD is edge-triggered: never poll then).
    bool readable();
    // The descriptors to poll: the socket's, and the one that becomes readable
    // when a handshake has an outcome (take_events() reads them all).
    int socket_fd();
    int monitor_fd();
    void take_events();

  private:
    RouterLink(zmq::context_t& context, std::string endpoint, int credit, std::string public_key);
    // What a failed handshake most likely means.
    std::string why(std::uint16_t event, std::uint32_t value) const;
    bool curve() const { return !public_key_.empty(); }

    zmq::socket_t socket_;
    zmq::socket_t monitor_;
    std::string endpoint_;
    int credit_;
    std::string public_key_;  // this worker's, Z85; empty without CURVE
    std::deque<std::string> outbox_;
    bool connected_ = false;
    util::RepeatedFailure failed_;
};

}  // namespace notify::worker
