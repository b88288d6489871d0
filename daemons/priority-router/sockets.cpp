#include "sockets.hpp"

#include "util/zmq_again.hpp"

namespace notify::router {

using util::zmq_again;

bool Sockets::send_to(zmq::socket_t& s, const std::string& identity, const std::string& payload,
                      bool delimiter) {
    try {
        if (!zmq_again([&] {
                return s.send(zmq::buffer(identity),
                              zmq::send_flags::sndmore | zmq::send_flags::dontwait);
            }))
            return false;
        if (delimiter &&
            !zmq_again([&] { return s.send(zmq::message_t(), zmq::send_flags::sndmore); }))
            return false;
        return zmq_again([&] { return s.send(zmq::buffer(payload), zmq::send_flags::dontwait); })
            .has_value();
    } catch (const zmq::error_t&) {
        return false;  // EHOSTUNREACH with ZMQ_ROUTER_MANDATORY: the peer left
    }
}

bool Sockets::receive(zmq::socket_t& s, std::string& identity, std::string& payload,
                      bool& has_delimiter) {
    zmq::message_t msg;
    if (!zmq_again([&] { return s.recv(msg, zmq::recv_flags::dontwait); })) return false;
    identity = msg.to_string();
    has_delimiter = false;
    payload.clear();
    while (msg.more()) {
        (void)zmq_again([&] { return s.recv(msg, zmq::recv_flags::none); });
        if (msg.size() == 0 && payload.empty() && !has_delimiter) {
            has_delimiter = true;
            continue;
        }
        payload = msg.to_string();
    }
    return true;
}

}  // namespace notify::router
