// http_pool.hpp - an HTTP/1.1 keep-alive load client over libevent bufferevents.
//
// A pool of N connections to one host:port. submit() queues a request; each idle
// connection takes the oldest queued request, sends it, and parses the reply
// (status line, headers, a Content-Length or chunked body). One request is in
// flight per connection (no pipelining), so N bounds the concurrency. A
// connection the server closes or that fails is reopened after a short pause;
// the request it carried completes with status 0.
//
// Everything runs on the caller's event_base, on one thread.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "clock.hpp"

struct event_base;
struct bufferevent;

namespace notify::bench {

struct HttpReply {
    int status = 0;  // 0: the connection failed before a whole reply came back
    std::string body;
    Micros sent_at = 0;     // when the request was written to the socket
    Micros replied_at = 0;  // when the whole reply had been read
};

class HttpPool {
  public:
    using Done = std::function<void(const HttpReply&)>;

    HttpPool(event_base* base, std::string host, int port, int connections);
    ~HttpPool();
    HttpPool(const HttpPool&) = delete;
    HttpPool& operator=(const HttpPool&) = delete;

    // Queues "POST path" with a JSON body; `done` runs when the reply is read.
    void post(const std::string& path, const std::string& json_body, Done done);
    void get(const std::string& path, Done done);

    std::size_t queued() const { return queue_.size(); }
    std::size_t in_flight() const;
    std::size_t connected() const;
    long reconnects() const { return reconnects_; }

  private:
    struct Request {
        std::string bytes;
        Done done;
    };
    struct Connection;

    void submit(std::string bytes, Done done);
    void open(Connection& c);
    void schedule_reopen(Connection& c);
    void dispatch();
    void start(Connection& c, Request r);
    void on_read(Connection& c);
    void on_event(Connection& c, short what);
    void finish(Connection& c, int status, std::string body);
    void fail(Connection& c);

    static void read_cb(bufferevent* bev, void* arg);
    static void event_cb(bufferevent* bev, short what, void* arg);
    static void reopen_cb(int fd, short what, void* arg);

    event_base* base_;
    std::string host_;
    int port_;
    std::string host_header_;
    std::vector<std::unique_ptr<Connection>> connections_;
    std::deque<Request> queue_;
    long reconnects_ = 0;
};

}  // namespace notify::bench
