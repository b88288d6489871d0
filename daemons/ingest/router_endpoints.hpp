// router_endpoints.hpp - ingest's sockets to the routers (ingest.router: the
// router.control endpoint of each router sharing the store). Only the router
// that holds the lease on the deliveries binds its endpoint (the others stand
// by, bound to nothing), so a socket connected to every endpoint with
// ZMQ_IMMEDIATE sends only where a router answers: to the one delivering.
#pragma once

#include <zmq.h>

#include <string>
#include <vector>

#include "util/strings.hpp"

namespace notify::ingest {

// The endpoints as one text, for messages: "A" or "A, B".
inline std::string joined(const std::vector<std::string>& endpoints) {
    return util::join(endpoints, ", ");
}

// Connects `socket` to each endpoint, sending only over connections made;
// false, with why, when one cannot be connected to.
inline bool connect_routers(void* socket, const std::vector<std::string>& endpoints,
                            std::string& why) {
    int immediate = 1;
    zmq_setsockopt(socket, ZMQ_IMMEDIATE, &immediate, sizeof immediate);
    for (const auto& e : endpoints)
        if (zmq_connect(socket, e.c_str()) != 0) {
            why = "'" + e + "': " + zmq_strerror(zmq_errno());
            return false;
        }
    return true;
}

}  // namespace notify::ingest
