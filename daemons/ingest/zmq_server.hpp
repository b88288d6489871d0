// zmq_server.hpp - the ZeroMQ transport for notifyctl: a ROUTER socket bound at
// ingest.listen, driven by the loop through ZMQ_FD. Each message is
// [identity][empty][payload] from a REQ socket; the payload is
//   {"method":"POST","path":"/v1/notifications","query":{...},"body":<JSON or null>}
// and the reply, under the same envelope, is
//   {"status":202,"body":<JSON>,"headers":{...}}        (headers only when some)
// Requests over this socket are trusted with admin scope: the socket file's
// permissions guard it.
#pragma once

#include <string>
#include <vector>

#include "api.hpp"
#include "inflight.hpp"
#include "metrics.hpp"

namespace notify::ingest {

class ZmqServer {
  public:
    ZmqServer(event_base* base, void* zmq_context, Api& api, Metrics& metrics, InFlight& inflight);
    ~ZmqServer();
    ZmqServer(const ZmqServer&) = delete;
    ZmqServer& operator=(const ZmqServer&) = delete;

    Status bind(const std::string& endpoint);
    // Takes no new requests; replies to those in progress still go out.
    void stop_reading();

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
    void* socket_ = nullptr;
    std::string endpoint_;
    event* ev_ = nullptr;
    bool reading_ = true;
    bool draining_ = false;
};

}  // namespace notify::ingest
