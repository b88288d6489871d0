// zmq_load.hpp - closed-loop load on the ingest's ZeroMQ ROUTER socket.
//
// Several DEALER sockets, each keeping `window` requests outstanding. Every
// request is [empty][payload], the envelope a REQ peer sends, so the ROUTER's
// reply comes back as [empty][reply]. The payload is the request frame
// {"method","path","query","body"}; a reply {"status":202,...} counts as accepted.
#pragma once

#include <string>

namespace notify::bench {

struct ZmqLoadSpec {
    std::string endpoint;
    std::string payload;  // the whole request frame, sent as is
    int sockets = 4;
    int window = 32;      // requests outstanding per socket
    long count = 100000;  // requests to send at most
    double seconds = 10;  // and for this long at most
};

struct ZmqLoadResult {
    long sent = 0;
    long accepted = 0;            // replies with status 202
    long rejected = 0;            // other replies
    double elapsed = 0;           // first send to last reply, seconds
    std::string first_rejection;  // one sample reply, for the log
};

ZmqLoadResult run_zmq_load(const ZmqLoadSpec& spec);

}  // namespace notify::bench
