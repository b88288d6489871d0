// zmq_server.hpp - the ZeroMQ transport for notifyctl: a ROUTER socket bound at
// ingest.listen, driven by the loop through ZMQ_FD. Each message is
// [identity][empty][payload] from a REQ socket; the payload is
//   {"method":"POST","path":"/v1/notifications","query":{...},"body":<JSON or null>}
// and the reply, under the same envelope, is
//   {"status":202,"body":<JSON>,"headers":{...}}        (headers only when some)
// Requests over this socket are trusted with admin scope: the socket file's
// permissions guard it. A frame over ZMQ_MAXMSGSIZE (twice ingest.max_body_bytes
// plus 64 KiB) makes libzmq drop that peer before it is held in memory; a
// smaller request whose body is over ingest.max_body_bytes gets 413 "too_large".
#pragma once

#include <string>
#include <vector>

#include "api.hpp"
#include "inflight.hpp"
#include "metrics.hpp"

namespace notify::ingest {

class ZmqServer {
  public:
    ZmqServer(event_base* base, void* zmq_context, Api& api, Metrics& metrics, InFlight& inflight,
              long max_body_bytes);
    ~ZmqServer();
    ZmqServer(const ZmqServer&) = delete;
    ZmqServer& operator=(const ZmqServer&) = delete;

    // Binds and serves until the daemon exits: a stopping daemon answers each
    // new request at once with 503 shutting_down (Api), nothing done, so that
    // notifyctl asks the next of notifyctl.ingest instead of waiting out its
    // timeout.
    Status bind(const std::string& endpoint);

    // The reply payload for a Response (exposed for tests).
    static std::string reply_payload(const Response& r);
    // The Request for a payload, or a 400 answer when it is not one.
    static Expected<Request> parse_payload(const std::string& payload);

  private:
    static void on_readable(int fd, short what, void* arg);
    void drain();
    void serve(std::vector<std::string> frames);
    void send(const std::vector<std::string>& envelope, const std::string& payload);

    event_base* base_;
    void* zmq_context_;
    Api& api_;
    Metrics& metrics_;
    InFlight& inflight_;
    long max_body_bytes_;
    void* socket_ = nullptr;
    std::string endpoint_;
    event* ev_ = nullptr;
    bool draining_ = false;
};

}  // namespace notify::ingest
