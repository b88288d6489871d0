// http_server.hpp - the HTTP/JSON transport over libevent's evhttp on the loop
// thread: keep-alive, TCP_NODELAY on every accepted connection, one Request per
// HTTP request handed to the API core, the Response sent back as it is.
//
// Limits, each answered with the JSON error body and counted in /metrics:
//   URL over ingest.http_max_url_bytes             414 url_too_long
//   headers over ingest.http_max_header_bytes      431 headers_too_large
//   more than ingest.http_max_headers headers      431 too_many_headers
//   body over ingest.max_body_bytes                413 too_large (every route)
// and, per connection (http_connections.hpp), ingest.max_connections,
// ingest.http_idle_timeout and ingest.http_request_timeout. A request head
// far beyond the limits (URL and header limits together, plus 4 KiB) is cut off
// by evhttp itself with 400 and the connection closed, so no header is held
// in memory unbounded.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "accept_backoff.hpp"
#include "api.hpp"
#include "http_connections.hpp"
#include "inbox_streams.hpp"
#include "inflight.hpp"
#include "metrics.hpp"
#include "streamed_replies.hpp"

struct evhttp;
struct evhttp_bound_socket;
struct evhttp_request;
struct evhttp_connection;

namespace notify::ingest {

struct HttpLimits {
    long max_body_bytes = 1048576;
    long max_url_bytes = 8192;
    long max_header_bytes = 16384;
    long max_headers = 100;
    long max_connections = 1024;
    Millis idle_timeout = 30000;
    Millis request_timeout = 30000;

    static HttpLimits from(const Config& config);
};

class HttpServer {
  public:
    // `streams` holds the inbox streams that answers open.
    HttpServer(event_base* base, Api& api, Metrics& metrics, InFlight& inflight,
               const HttpLimits& limits, InboxStreams& streams);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds "host:port" ("[::1]:8025" for IPv6).
    Status bind(const std::string& host_port);
    // Stops accepting connections; open connections are answered until closed.
    void close_listener();
    // Cuts off the answers still being sent as they are made (the daemon stops).
    void close_streamed() { streamed_->close_all(); }
    // Whether an answer is still in a connection's buffer, not yet written.
    bool sending() const { return connections_->sending(); }

  private:
    static void on_request(evhttp_request* req, void* arg);
    void handle(evhttp_request* req);
    struct Refusal {
        int status;
        Error error;
    };
    // The request over a limit of its own (URL, headers, body): why.
    std::optional<Refusal> over_limit(evhttp_request* req, size_t body_bytes) const;
    // Sends `resp`; a body of kBodyCopied bytes or more is handed over, not copied.
    void reply(evhttp_request* req, Response resp);
    static constexpr std::size_t kBodyCopied = 64 * 1024;

    Api& api_;
    InboxStreams& streams_;
    Metrics& metrics_;
    InFlight& inflight_;
    HttpLimits limits_;
    evhttp* http_ = nullptr;
    std::unique_ptr<HttpConnections> connections_;
    std::unique_ptr<StreamedReplies> streamed_;  // told by connections_ as they close
    AcceptBackoff backoff_;
    evhttp_bound_socket* listener_ = nullptr;
};

}  // namespace notify::ingest
