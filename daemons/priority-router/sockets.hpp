// sockets.hpp - the router's two ZeroMQ ROUTER sockets (workers and control).
#pragma once

#include <zmq.hpp>

#include <filesystem>
#include <string>

namespace notify::router {

class Sockets {
  public:
    zmq::context_t context{1};
    zmq::socket_t workers{context, zmq::socket_type::router};
    zmq::socket_t control{context, zmq::socket_type::router};

    // Sends [identity][payload], or [identity][][payload] to a REQ peer (`delimiter`);
    // false when the peer is gone.
    static bool send_to(zmq::socket_t& s, const std::string& identity, const std::string& payload,
                        bool delimiter = false);
    // Receives [identity][...][payload] without waiting; false when nothing is there.
    static bool receive(zmq::socket_t& s, std::string& identity, std::string& payload,
                        bool& has_delimiter);
};

}  // namespace notify::router
