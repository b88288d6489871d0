#include "router_link.hpp"

#include <zmq.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "crypto/curve_key.hpp"
#include "util/log.hpp"
#include "util/time.hpp"
#include "util/z85.hpp"
#include "util/zmq_again.hpp"

namespace notify::worker {

namespace {

constexpr const char* kMonitor = "inproc://notify-worker-handshakes";
constexpr int kEvents = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                        ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
constexpr const char* kKeysHint = "worker.curve_secret_key and worker.router_public_key";

}  // namespace

RouterLink::RouterLink(zmq::context_t& context, std::string public_key)
    : monitor_(context, zmq::socket_type::pair), public_key_(std::move(public_key)) {}

Expected<std::unique_ptr<RouterLink>> RouterLink::start(zmq::context_t& context,
                                                        zmq::socket_t& dealer,
                                                        const Config::Worker& config) {
    std::string public_key;
    if (!config.curve_secret_key.empty()) {
        if (!zmq_has("curve"))
            return make_error(ErrorKind::unavailable, "no_curve",
                              "'worker.curve_secret_key' is set, but this libzmq was built "
                              "without CURVE");
        auto secret = resolve_key(config.curve_secret_key, "worker.curve_secret_key");
        if (!secret) return secret.error();
        auto derived = crypto::curve_public_key(*secret);
        if (!derived) return derived.error();
        public_key = *derived;
        dealer.set(zmq::sockopt::curve_serverkey, *util::z85_decode(config.router_public_key));
        dealer.set(zmq::sockopt::curve_publickey, *util::z85_decode(public_key));
        dealer.set(zmq::sockopt::curve_secretkey, *util::z85_decode(*secret));
    }
    std::unique_ptr<RouterLink> link(new RouterLink(context, public_key));
    if (zmq_socket_monitor(dealer.handle(), kMonitor, kEvents) != 0)
        return make_error(
            ErrorKind::internal, "monitor_failed",
            std::string("cannot watch the link to the router: ") + zmq_strerror(zmq_errno()));
    link->monitor_.set(zmq::sockopt::linger, 0);
    link->monitor_.connect(kMonitor);
    return link;
}

int RouterLink::fd() {
    return monitor_.get(zmq::sockopt::fd);
}

std::string RouterLink::why(std::uint16_t event, std::uint32_t value) const {
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        return "the router refused this worker's CURVE key: its public key " + public_key_ +
               " is not in the router's router.curve_workers";
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
        value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        return curve() ? std::string(
                             "the router does not use CURVE (router.curve_secret_key); "
                             "unset ") +
                             kKeysHint + " or set it"
                       : std::string("the router requires CURVE: set ") + kKeysHint +
                             " (notifyctl keys generate)";
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
        char code[16];
        std::snprintf(code, sizeof code, "0x%08x", value);
        return std::string("the router broke ZeroMQ's protocol (error ") + code + ")" +
               (curve() ? ": is worker.router_public_key the router's public key?" : "");
    }
    return std::string("the connection ended before the handshake was done (") +
           std::strerror(static_cast<int>(value)) + ")" +
           (curve() ? ": is worker.router_public_key the router's public key?" : "");
}

void RouterLink::take_events() {
    for (;;) {
        zmq::message_t event, address;
        if (!util::zmq_again([&] { return monitor_.recv(event, zmq::recv_flags::dontwait); }))
            return;
        if (event.more()) (void)util::zmq_again([&] { return monitor_.recv(address); });
        // The event (16 bits) and its value (32 bits), in the host's order.
        if (event.size() < sizeof(std::uint16_t) + sizeof(std::uint32_t)) continue;
        std::uint16_t what = 0;
        std::uint32_t value = 0;
        std::memcpy(&what, event.data(), sizeof what);
        std::memcpy(&value, static_cast<const char*>(event.data()) + sizeof what, sizeof value);
        const Millis now = util::steady_ms();
        if (what == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            if (auto line = failed_.recovered(now)) NLOG(info, "", *line);
            continue;
        }
        const std::string reason =
            why(what, value) + " router=" + log::clip(address.to_string_view(), 200);
        if (auto line = failed_.failed(reason, now)) NLOG(error, "", *line);
    }
}

}  // namespace notify::worker
