// worker_auth.hpp - CURVE (ZeroMQ RFC 26) on the router's worker socket,
// router.listen: with router.curve_secret_key set, every worker's link is
// encrypted, and a ZAP handler (RFC 27) lets in only the workers whose public
// keys router.curve_workers lists. A refused worker is logged with its key and
// address: at once, then at most every 10 s with a count, for each of the
// last kRememberedRefusals keys and addresses.
//
// The handler is a REP socket on inproc://zeromq.zap.01 in the router's
// context, answered on the router's loop (answer() when it is readable), at
// most kAnswersPerTurn a turn: a worker's handshake waits for a turn of the
// loop, and before the loop runs, for the router's start (its queues rebuilt
// from the store); libzmq tries again after its handshake's time limit.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "config.hpp"
#include "util/bounded_map.hpp"
#include "util/error.hpp"
#include "util/repeated_failure.hpp"

namespace notify::router {

class WorkerAuth {
  public:
    static constexpr std::size_t kRememberedRefusals = 256;
    static constexpr int kAnswersPerTurn = 100;

    // Makes `workers` a CURVE server that asks this handler about each worker;
    // call before `workers` binds. nullptr when router.curve_secret_key is not
    // set (the link is as before: no encryption, any worker). An unreadable
    // or malformed secret is an error of kind invalid; a libzmq without CURVE
    // one of kind unavailable.
    static Expected<std::unique_ptr<WorkerAuth>> start(zmq::context_t& context,
                                                       zmq::socket_t& workers,
                                                       const Config::Router& config);

    zmq::socket_t& socket() { return zap_; }
    // Answers the requests waiting on the handler, kAnswersPerTurn at most.
    void answer();

  private:
    WorkerAuth(zmq::context_t& context, std::set<std::string> allowed);
    // The status code for a request (RFC 27's frames): "200" for an allowed
    // worker, "400" for any other.
    const char* decide(const std::vector<zmq::message_t>& request);
    void refused(const std::string& who);

    zmq::socket_t zap_;
    std::set<std::string> allowed_;  // raw 32-byte public keys
    util::BoundedMap<util::RepeatedFailure> refusals_{kRememberedRefusals};  // by key and address
};

}  // namespace notify::router
