// http_connections.cpp - connection count, request deadlines and refusals for
// the HTTP server. See http_connections.hpp.
#include "http_connections.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api.hpp"
#include "http_status.hpp"
#include "util/log.hpp"
#include "util/timeval.hpp"

namespace notify::ingest {

namespace {

// A refused client gets 2 s to read the answer; what it sends meanwhile (the
// rest of a large body) is dropped, up to 64 MiB. At most 256 linger at once,
// so refusals cost at most that many descriptors beyond max_connections.
constexpr util::Millis kLinger = 2000;
constexpr size_t kLingerBytes = 64 << 20;
constexpr size_t kLingerSockets = 256;

}  // namespace

HttpConnections::Conn::~Conn() {
    if (deadline) event_free(deadline);
    if (watch) evbuffer_remove_cb_entry(bufferevent_get_input(bev), watch);
}

HttpConnections::HttpConnections(event_base* base, evhttp* http, const ConnectionLimits& limits,
                                 Metrics& metrics)
    : base_(base),
      limits_(limits),
      metrics_(metrics),
      lingering_(base, kLinger, kLingerSockets, kLingerBytes) {
    adopt_ = event_new(base, -1, 0, &HttpConnections::on_adopt, this);
    evhttp_set_bevcb(http, &HttpConnections::make_bufferevent, this);
    timeval idle = util::to_timeval(limits.idle_timeout);
    evhttp_set_timeout_tv(http, &idle);
}

HttpConnections::~HttpConnections() {
    for (bufferevent* bev : fresh_) bufferevent_decref(bev);
    if (adopt_) event_free(adopt_);
}

bufferevent* HttpConnections::make_bufferevent(event_base* base, void* arg) {
    auto* self = static_cast<HttpConnections*>(arg);
    bufferevent* bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) return nullptr;
    // Kept alive until adopt() has looked at it, even if evhttp gives up on it.
    bufferevent_incref(bev);
    self->fresh_.push_back(bev);
    event_active(self->adopt_, EV_TIMEOUT, 0);
    return bev;
}

void HttpConnections::on_adopt(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<HttpConnections*>(arg);
    std::vector<bufferevent*> fresh;
    fresh.swap(self->fresh_);
    for (bufferevent* bev : fresh) {
        void* cbarg = nullptr;
        bufferevent_getcb(bev, nullptr, nullptr, nullptr, &cbarg);
        auto* evcon = static_cast<evhttp_connection*>(cbarg);
        // A bufferevent evhttp has freed again has no callbacks left.
        if (evcon && evhttp_connection_get_bufferevent(evcon) == bev) self->adopt(evcon, bev);
        bufferevent_decref(bev);
    }
}

void HttpConnections::adopt(evhttp_connection* evcon, bufferevent* bev) {
    auto owned = std::make_unique<Conn>();
    Conn& c = *owned;
    c.owner = this;
    c.evcon = evcon;
    c.bev = bev;
    c.deadline = evtimer_new(base_, &HttpConnections::on_deadline, &c);
    conns_[evcon] = std::move(owned);
    evhttp_connection_set_closecb(evcon, &HttpConnections::on_closed, this);
    metrics_.http_connections_open(static_cast<std::int64_t>(conns_.size()));
    if (static_cast<long>(serving()) > limits_.max_connections)
        return refuse(c, 503, "too_many_connections",
                      "notify-ingest has " + std::to_string(limits_.max_connections) +
                          " HTTP connections open (ingest.max_connections); try again shortly");
    int one = 1;
    setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.watch = evbuffer_add_cb(bufferevent_get_input(bev), &HttpConnections::on_input, &c);
    if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) start_reading(c);
}

void HttpConnections::on_closed(evhttp_connection* evcon, void* arg) {
    auto* self = static_cast<HttpConnections*>(arg);
    auto it = self->conns_.find(evcon);
    if (it == self->conns_.end()) return;
    std::function<void()> closed = std::move(it->second->closed);
    if (it->second->own_limit) --self->streams_;
    self->conns_.erase(it);
    self->metrics_.http_connections_open(static_cast<std::int64_t>(self->conns_.size()));
    if (closed) closed();
}

bool HttpConnections::sending() const {
    for (const auto& [evcon, c] : conns_)
        if (c->bev && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) return true;
    return false;
}

bool HttpConnections::stream(evhttp_request* req, std::function<void()> closed, bool own_limit) {
    auto it = conns_.find(evhttp_request_get_connection(req));
    if (it == conns_.end()) return false;
    Conn& c = *it->second;
    if (own_limit && !c.own_limit) ++streams_;
    c.own_limit = c.own_limit || own_limit;
    c.streaming = true;
    c.closed = std::move(closed);
    timeval write = util::to_timeval(limits_.idle_timeout);
    bufferevent_set_timeouts(c.bev, nullptr, &write);
    // A peer gone without a word is found by the heartbeats it does not
    // acknowledge, not hours later.
    const int fd = bufferevent_getfd(c.bev);
    const int one = 1;
    const unsigned unacked = static_cast<unsigned>(limits_.idle_timeout);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &unacked, sizeof unacked);
    return true;
}

void HttpConnections::start_reading(Conn& c) {
    c.reading = true;
    c.bytes = static_cast<long>(evbuffer_get_length(bufferevent_get_input(c.bev)));
    timeval tv = util::to_timeval(limits_.request_timeout);
    evtimer_add(c.deadline, &tv);
}

void HttpConnections::on_input(evbuffer* buf, const evbuffer_cb_info* info, void* arg) {
    auto& c = *static_cast<Conn*>(arg);
    if (info->n_added == 0) return;
    // Nothing more is read on a stream's connection; the bytes are not kept.
    if (c.streaming) return static_cast<void>(evbuffer_drain(buf, evbuffer_get_length(buf)));
    if (c.dispatched || c.refusal) return;
    if (!c.reading) return c.owner->start_reading(c);
    c.bytes += static_cast<long>(info->n_added);
    if (c.bytes > c.owner->limits_.max_request_bytes) {
        // evhttp goes on reading this callback's bytes; refuse once it is done.
        c.refusal = 413;
        event_active(c.deadline, EV_TIMEOUT, 0);
    }
}

void HttpConnections::on_deadline(evutil_socket_t, short, void* arg) {
    auto& c = *static_cast<Conn*>(arg);
    if (c.dispatched) return;
    HttpConnections* self = c.owner;
    if (c.refusal == 413)
        return self->refuse(c, 413, "too_large",
                            "request of more than " + std::to_string(c.bytes) +
                                " bytes is over the limit (ingest.max_body_bytes)");
    self->refuse(c, 408, "request_timeout",
                 "the request did not arrive whole within " +
                     std::to_string(self->limits_.request_timeout / 1000) +
                     " s (ingest.http_request_timeout)");
}

void HttpConnections::dispatched(evhttp_request* req) {
    auto it = conns_.find(evhttp_request_get_connection(req));
    if (it == conns_.end()) return;
    Conn& c = *it->second;
    c.reading = false;
    c.dispatched = true;
    c.refusal = 0;
    evtimer_del(c.deadline);
    evhttp_request_set_on_complete_cb(req, &HttpConnections::on_complete, this);
}

void HttpConnections::on_complete(evhttp_request* req, void* arg) {
    auto* self = static_cast<HttpConnections*>(arg);
    auto it = self->conns_.find(evhttp_request_get_connection(req));
    if (it == self->conns_.end()) return;
    Conn& c = *it->second;
    c.dispatched = false;
    // A pipelined request may be waiting already.
    if (evbuffer_get_length(bufferevent_get_input(c.bev)) > 0) self->start_reading(c);
}

void HttpConnections::refuse(Conn& c, int status, const std::string& code,
                             const std::string& message) {
    metrics_.rejected(code);
    metrics_.http_request(status);
    if (long n = log_.try_emplace(code, 1000).first->second.due(util::steady_ms()))
        NLOG(warning, "",
             "refused transport=http code=" << code << " status=" << status << " count=" << n
                                            << " open=" << conns_.size());
    std::string body = error_response(status, make_error(ErrorKind::invalid, code, message)).body;
    std::string answer =
        "HTTP/1.1 " + std::to_string(status) + " " + http_reason(status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    int fd = bufferevent_getfd(c.bev);
    int keep = -1;
    if (fd >= 0) {
        ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        keep = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    }
    // Shuts the socket for writing and closes evhttp's descriptor; `c` is gone.
    evhttp_connection_free(c.evcon);
    if (keep >= 0) lingering_.adopt(keep);
}

}  // namespace notify::ingest
