// http_server.hpp - the HTTP/JSON transport over libevent's evhttp on the loop
// thread: keep-alive, TCP_NODELAY on every accepted connection, one Request per
// HTTP request handed to the API core, the Response sent back as it is.
#pragma once

#include <string>
#include <unordered_set>

#include "api.hpp"
#include "inflight.hpp"
#include "metrics.hpp"

struct evhttp;
struct evhttp_bound_socket;
struct evhttp_request;
struct evhttp_connection;

namespace notify::ingest {

class HttpServer {
  public:
    HttpServer(event_base* base, Api& api, Metrics& metrics, InFlight& inflight,
               long max_body_bytes);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds "host:port" ("[::1]:8025" for IPv6).
    Status bind(const std::string& host_port);
    // Stops accepting connections; open connections are answered until closed.
    void close_listener();

  private:
    static void on_request(evhttp_request* req, void* arg);
    static void on_connection_closed(evhttp_connection* conn, void* arg);
    void handle(evhttp_request* req);
    void tune_connection(evhttp_request* req);

    Api& api_;
    Metrics& metrics_;
    InFlight& inflight_;
    evhttp* http_ = nullptr;
    evhttp_bound_socket* listener_ = nullptr;
    std::unordered_set<evhttp_connection*> tuned_;
};

}  // namespace notify::ingest
