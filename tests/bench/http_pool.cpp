// http_pool.cpp - connections, request queue and the HTTP/1.1 reply parser.
#include "http_pool.hpp"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>
#include <optional>

#include "util/strings.hpp"

namespace notify::bench {

namespace {

enum class Phase { idle, status_line, headers, body, chunk_size, chunk_data, trailers };

constexpr timeval kReopenPause{0, 50 * 1000};

}  // namespace

struct HttpPool::Connection {
    HttpPool* pool = nullptr;
    bufferevent* bev = nullptr;
    event* reopen = nullptr;
    bool connected = false;
    std::optional<Request> current;
    Micros sent_at = 0;
    Phase phase = Phase::idle;
    int status = 0;
    long content_length = -1;
    bool chunked = false;
    bool close_after = false;
    std::size_t chunk_left = 0;
    std::string body;
};

HttpPool::HttpPool(event_base* base, std::string host, int port, int connections)
    : base_(base), host_(std::move(host)), port_(port) {
    host_header_ = host_ + ":" + std::to_string(port_);
    for (int i = 0; i < connections; ++i) {
        auto c = std::make_unique<Connection>();
        c->pool = this;
        c->reopen = evtimer_new(base_, &HttpPool::reopen_cb, c.get());
        connections_.push_back(std::move(c));
    }
    for (auto& c : connections_) open(*c);
}

HttpPool::~HttpPool() {
    for (auto& c : connections_) {
        if (c->bev) bufferevent_free(c->bev);
        if (c->reopen) event_free(c->reopen);
    }
}

std::size_t HttpPool::in_flight() const {
    std::size_t n = 0;
    for (const auto& c : connections_) n += c->current.has_value();
    return n;
}

std::size_t HttpPool::connected() const {
    std::size_t n = 0;
    for (const auto& c : connections_) n += c->connected;
    return n;
}

void HttpPool::post(const std::string& path, const std::string& json_body, Done done) {
    std::string bytes;
    bytes.reserve(json_body.size() + 160);
    bytes.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_header_);
    bytes.append("\r\nContent-Type: application/json\r\nContent-Length: ");
    bytes.append(std::to_string(json_body.size())).append("\r\n\r\n").append(json_body);
    submit(std::move(bytes), std::move(done));
}

void HttpPool::get(const std::string& path, Done done) {
    std::string bytes = "GET " + path + " HTTP/1.1\r\nHost: " + host_header_ + "\r\n\r\n";
    submit(std::move(bytes), std::move(done));
}

void HttpPool::submit(std::string bytes, Done done) {
    queue_.push_back(Request{std::move(bytes), std::move(done)});
    dispatch();
}

void HttpPool::open(Connection& c) {
    c.connected = false;
    c.phase = Phase::idle;
    c.bev = bufferevent_socket_new(base_, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(c.bev, &HttpPool::read_cb, nullptr, &HttpPool::event_cb, &c);
    bufferevent_enable(c.bev, EV_READ | EV_WRITE);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
    if (bufferevent_socket_connect(c.bev, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        schedule_reopen(c);
}

void HttpPool::schedule_reopen(Connection& c) {
    if (c.bev) {
        bufferevent_free(c.bev);
        c.bev = nullptr;
    }
    c.connected = false;
    ++reconnects_;
    evtimer_add(c.reopen, &kReopenPause);
}

void HttpPool::reopen_cb(int, short, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    c->pool->open(*c);
}

void HttpPool::dispatch() {
    for (auto& c : connections_) {
        if (queue_.empty()) return;
        if (!c->connected || c->current) continue;
        Request r = std::move(queue_.front());
        queue_.pop_front();
        start(*c, std::move(r));
    }
}

void HttpPool::start(Connection& c, Request r) {
    c.sent_at = now_us();
    c.phase = Phase::status_line;
    c.status = 0;
    c.content_length = -1;
    c.chunked = false;
    c.close_after = false;
    c.body.clear();
    bufferevent_write(c.bev, r.bytes.data(), r.bytes.size());
    c.current = std::move(r);
}

void HttpPool::read_cb(bufferevent*, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    c->pool->on_read(*c);
}

void HttpPool::event_cb(bufferevent*, short what, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    c->pool->on_event(*c, what);
}

void HttpPool::on_event(Connection& c, short what) {
    if (what & BEV_EVENT_CONNECTED) {
        int one = 1;
        setsockopt(bufferevent_getfd(c.bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c.connected = true;
        dispatch();
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) fail(c);
}

void HttpPool::fail(Connection& c) {
    std::optional<Request> lost = std::move(c.current);
    c.current.reset();
    schedule_reopen(c);
    if (lost) {
        HttpReply reply;
        reply.sent_at = c.sent_at;
        reply.replied_at = now_us();
        lost->done(reply);
    }
}

void HttpPool::finish(Connection& c, int status, std::string body) {
    HttpReply reply{status, std::move(body), c.sent_at, now_us()};
    Request r = std::move(*c.current);
    c.current.reset();
    c.phase = Phase::idle;
    bool reopen = c.close_after;
    if (reopen) schedule_reopen(c);
    r.done(reply);
    dispatch();
}

void HttpPool::on_read(Connection& c) {
    evbuffer* in = bufferevent_get_input(c.bev);
    while (c.current) {
        if (c.phase == Phase::status_line || c.phase == Phase::headers ||
            c.phase == Phase::chunk_size || c.phase == Phase::trailers) {
            size_t len = 0;
            char* raw = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
            if (!raw) return;  // wait for the rest of the line
            std::string line(raw, len);
            std::free(raw);
            if (c.phase == Phase::status_line) {
                // "HTTP/1.1 202 Accepted"
                auto sp = line.find(' ');
                if (!util::starts_with(line, "HTTP/1.") || sp == std::string::npos) {
                    fail(c);
                    return;
                }
                c.status = std::atoi(line.c_str() + sp + 1);
                c.close_after = util::starts_with(line, "HTTP/1.0");
                c.phase = Phase::headers;
            } else if (c.phase == Phase::headers) {
                if (!line.empty()) {
                    auto colon = line.find(':');
                    if (colon == std::string::npos) continue;
                    std::string name = util::to_lower(line.substr(0, colon));
                    std::string value = util::to_lower(util::trim(line.substr(colon + 1)));
                    if (name == "content-length") c.content_length = std::atol(value.c_str());
                    if (name == "transfer-encoding" && value.find("chunked") != std::string::npos)
                        c.chunked = true;
                    if (name == "connection") c.close_after = value == "close";
                    continue;
                }
                if (c.chunked) {
                    c.phase = Phase::chunk_size;
                } else if (c.content_length > 0) {
                    c.phase = Phase::body;
                } else {
                    finish(c, c.status, {});
                    return;
                }
            } else if (c.phase == Phase::chunk_size) {
                c.chunk_left = std::strtoul(line.c_str(), nullptr, 16);
                c.phase = c.chunk_left == 0 ? Phase::trailers : Phase::chunk_data;
            } else {  // trailers end with an empty line
                if (line.empty()) {
                    finish(c, c.status, std::move(c.body));
                    return;
                }
            }
            continue;
        }
        if (c.phase == Phase::body) {
            size_t want = static_cast<size_t>(c.content_length);
            if (evbuffer_get_length(in) < want) return;
            c.body.resize(want);
            evbuffer_remove(in, c.body.data(), want);
            finish(c, c.status, std::move(c.body));
            return;
        }
        if (c.phase == Phase::chunk_data) {
            if (evbuffer_get_length(in) < c.chunk_left + 2) return;
            size_t old = c.body.size();
            c.body.resize(old + c.chunk_left);
            evbuffer_remove(in, c.body.data() + old, c.chunk_left);
            evbuffer_drain(in, 2);  // the CRLF after the chunk
            c.phase = Phase::chunk_size;
            continue;
        }
        return;
    }
}

}  // namespace notify::bench
