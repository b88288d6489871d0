// http_connections.hpp - the limits evhttp does not keep by itself, per open
// HTTP connection:
//   - at most `max_connections` open; one more is answered 503
//     "too_many_connections" and closed;
//   - one request's head and body must arrive within `request_timeout` of its
//     first byte (a client that sends a byte now and then is not idle, and
//     evhttp's own timeout, `idle_timeout`, restarts on each byte); a late one
//     is answered 408 "request_timeout" and closed;
//   - a request whose bytes pass `max_request_bytes` before it is whole is
//     answered 413 "too_large" and closed, without reading it all into memory.
// A refusal writes a JSON error ({"error":{"code","message","field"}}) straight
// to the socket, lets evhttp free the connection and hands the socket to a
// LingeringClose. Refusals are counted in /metrics and logged at most once a
// second per code, with a count.
//
// evhttp (libevent 2.1) has no hook for a new connection; the bufferevent it is
// given by evhttp_set_bevcb() carries the connection as its callback argument
// once evhttp has set it up, which adopt() reads right after the accept.
// Loop thread only.
#pragma once

#include <event2/event.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lingering_close.hpp"
#include "metrics.hpp"
#include "util/repeated_failure.hpp"
#include "util/time.hpp"

struct bufferevent;
struct evbuffer;
struct evbuffer_cb_entry;
struct evbuffer_cb_info;
struct evhttp;
struct evhttp_connection;
struct evhttp_request;

namespace notify::ingest {

struct ConnectionLimits {
    long max_connections = 1024;
    util::Millis idle_timeout = 30000;
    util::Millis request_timeout = 30000;
    long max_request_bytes = 0;  // head and body of one request
};

class HttpConnections {
  public:
    HttpConnections(event_base* base, evhttp* http, const ConnectionLimits& limits,
                    Metrics& metrics);
    ~HttpConnections();
    HttpConnections(const HttpConnections&) = delete;
    HttpConnections& operator=(const HttpConnections&) = delete;

    // The request is whole and goes to the API: its deadline stops; the next
    // one's starts with its first byte once this answer has been sent.
    void dispatched(evhttp_request* req);
    // The request's answer is a stream that stays open (inbox_streams.hpp):
    // its connection has no read timeout from now on (a write that makes no
    // progress for idle_timeout still ends it, and so does a peer that does
    // not acknowledge for as long: TCP_USER_TIMEOUT), what the client sends
    // on it is discarded, and `closed` runs when the connection goes. With
    // `own_limit` (inbox streams, which have their own) it no longer counts
    // against max_connections. False when the connection is not one of these.
    bool stream(evhttp_request* req, std::function<void()> closed, bool own_limit = true);
    size_t open() const { return conns_.size(); }
    // Whether an answer is still in a connection's buffer, not yet written.
    bool sending() const;
    // Connections that are not streams: what max_connections limits.
    size_t serving() const { return conns_.size() - streams_; }

  private:
    struct Conn {
        HttpConnections* owner = nullptr;
        evhttp_connection* evcon = nullptr;
        bufferevent* bev = nullptr;
        evbuffer_cb_entry* watch = nullptr;
        event* deadline = nullptr;
        bool reading = false;          // a request has begun and is not whole yet
        bool dispatched = false;       // handed to the API, not answered yet
        long bytes = 0;                // of the request being read
        int refusal = 0;               // a status decided while reading (413)
        bool streaming = false;        // its answer is an open stream
        bool own_limit = false;        // a stream not counted against max_connections
        std::function<void()> closed;  // a stream's, when the connection goes
        ~Conn();
    };

    static bufferevent* make_bufferevent(event_base* base, void* arg);
    static void on_adopt(evutil_socket_t, short, void* arg);
    static void on_closed(evhttp_connection* evcon, void* arg);
    static void on_input(evbuffer* buf, const evbuffer_cb_info* info, void* arg);
    static void on_deadline(evutil_socket_t, short, void* arg);
    static void on_complete(evhttp_request* req, void* arg);

    void adopt(evhttp_connection* evcon, bufferevent* bev);
    void start_reading(Conn& c);
    void refuse(Conn& c, int status, const std::string& code, const std::string& message);

    event_base* base_;
    ConnectionLimits limits_;
    Metrics& metrics_;
    event* adopt_ = nullptr;
    std::vector<bufferevent*> fresh_;
    std::unordered_map<evhttp_connection*, std::unique_ptr<Conn>> conns_;
    size_t streams_ = 0;  // of conns_, the streams with their own limit
    std::map<std::string, util::RepeatedFailure> log_;  // per refusal code, 1s
    LingeringClose lingering_;
};

}  // namespace notify::ingest
