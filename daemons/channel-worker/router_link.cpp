#include "router_link.hpp"

#include <zmq.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "crypto/curve_key.hpp"
#include "curve_secret.hpp"
#include "util/log.hpp"
#include "util/time.hpp"
#include "util/z85.hpp"
#include "util/zmq_again.hpp"

namespace notify::worker {

namespace {

constexpr const char* kMonitor = "inproc://notify-worker-handshakes-";
constexpr int kEvents = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                        ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                        ZMQ_EVENT_DISCONNECTED;
constexpr const char* kKeysHint = "worker.curve_secret_key and worker.router_public_key";
constexpr int kLingerMs = 2000;

}  // namespace

Expected<std::optional<CurveClient>> curve_client(const Config::Worker& config) {
    if (config.curve_secret_key.empty()) return std::optional<CurveClient>();
    auto secret = curve_secret(config.curve_secret_key, "worker.curve_secret_key");
    if (!secret) return secret.error();
    auto derived = crypto::curve_public_key(*secret);
    if (!derived) return derived.error();
    return std::optional<CurveClient>(CurveClient{*secret, *derived});
}

RouterLink::RouterLink(zmq::context_t& context, std::string endpoint, int credit,
                       std::string public_key)
    : socket_(context, zmq::socket_type::dealer),
      monitor_(context, zmq::socket_type::pair),
      endpoint_(std::move(endpoint)),
      credit_(credit),
      public_key_(std::move(public_key)),
      failed_("the handshake with the router failed") {}

Expected<std::unique_ptr<RouterLink>> RouterLink::open(zmq::context_t& context, std::size_t index,
                                                       const std::string& endpoint, int credit,
                                                       const CurveClient* curve,
                                                       const std::string& router_key) {
    std::unique_ptr<RouterLink> link(
        new RouterLink(context, endpoint, credit, curve ? curve->public_key : std::string()));
    zmq::socket_t& dealer = link->socket_;
    const std::string monitor = kMonitor + std::to_string(index);
    try {
        if (curve) {
            dealer.set(zmq::sockopt::curve_serverkey, *util::z85_decode(router_key));
            dealer.set(zmq::sockopt::curve_publickey, *util::z85_decode(curve->public_key));
            dealer.set(zmq::sockopt::curve_secretkey, *util::z85_decode(curve->secret_key));
        }
        dealer.set(zmq::sockopt::linger, kLingerMs);
        if (zmq_socket_monitor(dealer.handle(), monitor.c_str(), kEvents) != 0)
            return make_error(
                ErrorKind::internal, "monitor_failed",
                std::string("cannot watch the link to the router: ") + zmq_strerror(zmq_errno()));
        link->monitor_.set(zmq::sockopt::linger, 0);
        link->monitor_.connect(monitor);
        dealer.connect(endpoint);
    } catch (const zmq::error_t& e) {
        return make_error(ErrorKind::unavailable, "connect_failed",
                          "cannot connect to the router '" + log::clip(endpoint, 200) +
                              "' of worker.router: " + e.what());
    }
    return link;
}

void RouterLink::offer(const std::string& frame) {
    if (!connected_ || !outbox_.empty()) return;
    (void)util::zmq_again(
        [&] { return socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait); });
}

void RouterLink::pump(const std::function<void(const std::string&)>& on_frame) {
    for (;;) {
        while (!outbox_.empty()) {
            if (!util::zmq_again([&] {
                    return socket_.send(zmq::buffer(outbox_.front()), zmq::send_flags::dontwait);
                }))
                break;
            outbox_.pop_front();
        }
        zmq::message_t msg;
        auto take = [&] {
            return util::zmq_again([&] { return socket_.recv(msg, zmq::recv_flags::dontwait); });
        };
        if (!take()) return;
        // A job is one frame; should a peer send more, the last one is the message.
        while (msg.more()) {
            if (!take()) return;
        }
        on_frame(msg.to_string());
    }
}

bool RouterLink::readable() {
    return util::zmq_again([&] { return socket_.get(zmq::sockopt::events); }) & ZMQ_POLLIN;
}

int RouterLink::socket_fd() {
    return socket_.get(zmq::sockopt::fd);
}

int RouterLink::monitor_fd() {
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
        if (what == ZMQ_EVENT_DISCONNECTED) {
            connected_ = false;
            continue;
        }
        if (what == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            connected_ = true;
            if (auto line = failed_.recovered(now))
                NLOG(info, "", *line << " router=" << log::clip(endpoint_, 200));
            continue;
        }
        const std::string reason =
            why(what, value) + " router=" + log::clip(address.to_string_view(), 200);
        if (auto line = failed_.failed(reason, now)) NLOG(error, "", *line);
    }
}

}  // namespace notify::worker
