// sse_streams.cpp - the streams' connections, the HTTP/1.1 head and chunk
// decoder, and the text/event-stream parser.
#include "sse_streams.hpp"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>

#include "event_loop.hpp"
#include "util/strings.hpp"

namespace notify::bench {

namespace {

enum class Phase { connecting, status_line, headers, chunk_size, chunk_data, chunk_end, identity };

}  // namespace

struct SseStreams::Stream {
    SseStreams* owner = nullptr;
    std::size_t index = 0;
    bufferevent* bev = nullptr;
    Phase phase = Phase::connecting;
    int status = 0;
    bool chunked = false;
    std::size_t chunk_left = 0;
    bool ready = false;
    std::string text;  // body read and not yet parsed into events
    std::string kind;  // the event being read
    std::string data;
};

SseStreams::SseStreams(Target target, std::vector<std::string> paths, int opening, OnEvent on_event)
    : target_(std::move(target)),
      paths_(std::move(paths)),
      opening_(std::max(1, opening)),
      on_event_(std::move(on_event)),
      streams_(paths_.size()) {
    for (std::size_t i = 0; i < streams_.size(); ++i) {
        streams_[i].owner = this;
        streams_[i].index = i;
    }
}

SseStreams::~SseStreams() {
    stop();
}

void SseStreams::start(Micros deadline) {
    thread_ = std::thread([this, deadline] { run(deadline); });
}

void SseStreams::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

std::vector<std::size_t> SseStreams::ready_streams() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return ready_streams_;
}

std::string SseStreams::first_failure() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_failure_;
}

void SseStreams::run(Micros deadline) {
    try {
        EventLoop loop;
        base_ = loop.base();
        loop.run_until([this] { return stop_.load(); }, deadline, [this] { open_more(); });
        // The connections go before their event_base.
        for (auto& s : streams_) {
            if (s.bev) bufferevent_free(s.bev);
            s.bev = nullptr;
        }
    } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (first_failure_.empty()) first_failure_ = e.what();
    }
}

void SseStreams::open_more() {
    while (in_opening_ < opening_ && next_ < streams_.size()) open(streams_[next_++]);
}

void SseStreams::open(Stream& s) {
    ++in_opening_;
    s.bev = bufferevent_socket_new(base_, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!s.bev) {
        end(s, "cannot make a connection");
        return;
    }
    bufferevent_setcb(s.bev, &SseStreams::read_cb, nullptr, &SseStreams::event_cb, &s);
    bufferevent_enable(s.bev, EV_READ | EV_WRITE);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(target_.port));
    inet_pton(AF_INET, target_.host.c_str(), &addr.sin_addr);
    if (bufferevent_socket_connect(s.bev, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        end(s,
            std::string("cannot connect: ") + evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

void SseStreams::read_cb(bufferevent*, void* arg) {
    auto* s = static_cast<Stream*>(arg);
    s->owner->on_read(*s);
}

void SseStreams::event_cb(bufferevent*, short what, void* arg) {
    auto* s = static_cast<Stream*>(arg);
    SseStreams& self = *s->owner;
    if (what & BEV_EVENT_CONNECTED) {
        const std::string request =
            "GET " + self.paths_[s->index] + " HTTP/1.1\r\nHost: " + self.target_.host + ":" +
            std::to_string(self.target_.port) + "\r\nAccept: text/event-stream\r\n\r\n";
        bufferevent_write(s->bev, request.data(), request.size());
        s->phase = Phase::status_line;
        return;
    }
    if (what & BEV_EVENT_ERROR)
        self.end(*s, std::string("connection error: ") +
                         evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    else if (what & BEV_EVENT_EOF)
        self.end(*s, "the server closed the connection");
}

void SseStreams::on_read(Stream& s) {
    while (s.bev) {
        evbuffer* in = bufferevent_get_input(s.bev);
        if (s.phase == Phase::chunk_data || s.phase == Phase::identity) {
            const std::size_t have = evbuffer_get_length(in);
            if (have == 0) return;
            const std::size_t take =
                s.phase == Phase::identity ? have : std::min(have, s.chunk_left);
            const std::size_t old = s.text.size();
            s.text.resize(old + take);
            evbuffer_remove(in, s.text.data() + old, take);
            if (s.phase == Phase::chunk_data) {
                s.chunk_left -= take;
                if (s.chunk_left == 0) s.phase = Phase::chunk_end;
            }
            parse_events(s);
            continue;
        }
        std::size_t len = 0;
        char* raw = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
        if (!raw) return;  // the rest of the line is still to come
        std::string line(raw, len);
        std::free(raw);
        if (!on_line(s, line)) return;
    }
}

bool SseStreams::on_line(Stream& s, const std::string& line) {
    switch (s.phase) {
        case Phase::status_line: {
            // "HTTP/1.1 200 OK"
            const auto sp = line.find(' ');
            if (!util::starts_with(line, "HTTP/1.") || sp == std::string::npos) {
                end(s, "not an HTTP answer: " + line.substr(0, 80));
                return false;
            }
            s.status = std::atoi(line.c_str() + sp + 1);
            s.phase = Phase::headers;
            return true;
        }
        case Phase::headers: {
            if (!line.empty()) {
                const auto colon = line.find(':');
                if (colon != std::string::npos &&
                    util::to_lower(util::trim(line.substr(0, colon))) == "transfer-encoding" &&
                    util::to_lower(line.substr(colon + 1)).find("chunked") != std::string::npos)
                    s.chunked = true;
                return true;
            }
            if (s.status != 200) {
                // What of the refusal's body has come, for the log.
                evbuffer* in = bufferevent_get_input(s.bev);
                std::string body(std::min<std::size_t>(evbuffer_get_length(in), 300), '\0');
                evbuffer_copyout(in, body.data(), body.size());
                end(s, "status " + std::to_string(s.status) + ": " + body);
                return false;
            }
            s.phase = s.chunked ? Phase::chunk_size : Phase::identity;
            return true;
        }
        case Phase::chunk_size:
            s.chunk_left = std::strtoul(line.c_str(), nullptr, 16);
            if (s.chunk_left == 0) {
                end(s, "the server ended the stream");
                return false;
            }
            s.phase = Phase::chunk_data;
            return true;
        case Phase::chunk_end:  // the CRLF after a chunk's data
            s.phase = Phase::chunk_size;
            return true;
        default:
            return true;
    }
}

void SseStreams::parse_events(Stream& s) {
    std::size_t from = 0;
    for (std::size_t nl; (nl = s.text.find('\n', from)) != std::string::npos; from = nl + 1) {
        std::string_view line(s.text.data() + from, nl - from);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) {
            dispatch(s);
            continue;
        }
        if (line.front() == ':') continue;  // a comment: the heartbeat
        const auto colon = line.find(':');
        const std::string_view field = line.substr(0, colon);
        std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (field == "event") {
            s.kind = value;
        } else if (field == "data") {
            if (!s.data.empty()) s.data += '\n';
            s.data += value;
        }
    }
    s.text.erase(0, from);
}

void SseStreams::dispatch(Stream& s) {
    // A block without data (the opening "retry") is no event.
    if (!s.data.empty()) {
        const std::string kind = s.kind.empty() ? "message" : s.kind;
        if (kind == "ready" && !s.ready) {
            s.ready = true;
            --in_opening_;
            ++ready_;
            std::lock_guard<std::mutex> lock(mutex_);
            ready_streams_.push_back(s.index);
        }
        on_event_(s.index, kind, s.data, now_us());
    }
    s.kind.clear();
    s.data.clear();
}

void SseStreams::end(Stream& s, const std::string& why) {
    if (s.bev) bufferevent_free(s.bev);
    s.bev = nullptr;
    if (s.ready) {
        ++lost_;
        return;
    }
    --in_opening_;
    ++failed_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (first_failure_.empty()) first_failure_ = why;
}

}  // namespace notify::bench
