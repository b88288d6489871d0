// inbox_streams.cpp - see inbox_streams.hpp.
//
// evhttp (libevent 2.1) keeps a streamed answer's request until
// evhttp_send_reply_end(). When the client goes first, evhttp detaches the
// request from its connection, frees the connection (our closed() runs) and
// leaves the request to us: closed() ends it, which frees it. When we free the
// connection (a lagging client), the request is still attached and goes with it.
#include "inbox_streams.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "api.hpp"
#include "http_connections.hpp"
#include "http_status.hpp"
#include "inbox_view.hpp"
#include "util/log.hpp"
#include "util/timeval.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string sse(std::int64_t id, const char* kind, const json& data) {
    return "id: " + std::to_string(id) + "\nevent: " + kind + "\ndata: " + dump(data) + "\n\n";
}

void refuse(evhttp_request* req, int status, const Error& e,
            const std::vector<std::pair<std::string, std::string>>& headers) {
    Response r = error_response(status, e);
    evkeyvalq* out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Content-Type", r.content_type.c_str());
    for (const auto& [name, value] : headers) evhttp_add_header(out, name.c_str(), value.c_str());
    if (status == 429) evhttp_add_header(out, "Retry-After", "10");
    evbuffer* buf = evbuffer_new();
    evbuffer_add(buf, r.body.data(), r.body.size());
    evhttp_send_reply(req, status, http_reason(status), buf);
    evbuffer_free(buf);
}

std::size_t backlog(evhttp_request* req) {
    evhttp_connection* evcon = evhttp_request_get_connection(req);
    bufferevent* bev = evcon ? evhttp_connection_get_bufferevent(evcon) : nullptr;
    return bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

}  // namespace

InboxStreams::InboxStreams(event_base* base, store::Store& reads, const Config& config,
                           Metrics& metrics)
    : inbox_(reads.handle()), config_(config), metrics_(metrics) {
    poll_ = event_new(base, -1, EV_PERSIST, &InboxStreams::on_poll, this);
    heartbeat_ = event_new(base, -1, EV_PERSIST, &InboxStreams::on_heartbeat, this);
    timeval poll = util::to_timeval(kPoll);
    timeval beat = util::to_timeval(config.inbox.stream_heartbeat);
    event_add(poll_, &poll);
    event_add(heartbeat_, &beat);
    try {
        last_seq_ = inbox_.last_event_seq();
    } catch (const store::StoreFailure& f) {
        NLOG(warning, "", "inbox streams start from the next event: " << f.message);
    }
}

InboxStreams::~InboxStreams() {
    if (poll_) event_free(poll_);
    if (heartbeat_) event_free(heartbeat_);
}

void InboxStreams::on_poll(evutil_socket_t, short, void* arg) {
    static_cast<InboxStreams*>(arg)->poll();
}

void InboxStreams::on_heartbeat(evutil_socket_t, short, void* arg) {
    static_cast<InboxStreams*>(arg)->heartbeat();
}

int InboxStreams::open(evhttp_request* req, HttpConnections& connections, const StreamOpen& o,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
    // Every event so far goes out first, so that what this client missed is
    // what the store has now (this may close lagging streams).
    poll();
    if (static_cast<long>(streams_.size()) >= config_.inbox.max_streams) {
        metrics_.rejected("too_many_streams");
        refuse(req, 503,
               make_error(ErrorKind::unavailable, "too_many_streams",
                          "notify-ingest has " + std::to_string(config_.inbox.max_streams) +
                              " inbox streams open (inbox.max_streams); try again shortly"),
               headers);
        return 503;
    }
    // The user's oldest stream gives way: a client that comes back (a
    // reloaded tab) before its old connection is seen gone is not refused.
    if (auto mine = by_user_.find(o.user);
        mine != by_user_.end() && mine->second.size() >= kPerUser)
        drop({mine->second.front()}, "replaced");
    std::string start;
    try {
        start = opening(o);
    } catch (const store::StoreFailure& f) {
        refuse(req, 503, store::to_error(f), headers);
        return 503;
    }

    evkeyvalq* out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Content-Type", "text/event-stream; charset=utf-8");
    evhttp_add_header(out, "Cache-Control", "no-store");
    evhttp_add_header(out, "X-Accel-Buffering", "no");  // nginx: pass each event on at once
    // Once ended (shutdown, an expired token), the connection is not reused.
    evhttp_add_header(out, "Connection", "close");
    for (const auto& [name, value] : headers) evhttp_add_header(out, name.c_str(), value.c_str());
    evhttp_send_reply_start(req, 200, "OK");
    const std::uint64_t id = next_id_++;
    streams_.emplace(id, Stream{req, o.user, o.expires_at});
    by_user_[o.user].push_back(id);
    if (!connections.stream(req, [this, id] { closed(id); })) {
        // Not a connection HttpConnections holds: end it at once.
        closed(id);
        evhttp_send_reply_end(req);
        return 200;
    }
    write(streams_.at(id), start);
    gauge();
    return 200;
}

std::string InboxStreams::opening(const StreamOpen& o) {
    std::string start = "retry: 3000\n\n";
    const std::int64_t unread = inbox_.unread(o.user);
    if (o.last_event_id > 0) {
        // An id past the last event is not one this store gave; events after
        // it may have been pruned (all of them, when none is left).
        const std::int64_t first = inbox_.first_event_seq();
        bool reset = o.last_event_id > last_seq_ || first > o.last_event_id + 1 ||
                     (first == 0 && o.last_event_id < last_seq_);
        std::string missed;
        if (!reset) {
            auto events = inbox_.user_events(o.user, o.last_event_id, last_seq_, kReplay + 1);
            reset = static_cast<int>(events.size()) > kReplay;
            for (std::size_t i = 0; i < events.size() && !reset; ++i) {
                missed += message(events[i], unread);
                reset = missed.size() > kMaxReplayBytes;
            }
        }
        start += reset ? sse(last_seq_, "reset", {{"unread", unread}}) : missed;
    }
    return start + sse(last_seq_, "ready", {{"unread", unread}});
}

void InboxStreams::closed(std::uint64_t id) {
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    evhttp_request* req = it->second.req;
    auto& mine = by_user_[it->second.user];
    mine.erase(std::remove(mine.begin(), mine.end(), id), mine.end());
    if (mine.empty()) by_user_.erase(it->second.user);
    streams_.erase(it);
    gauge();
    // Detached by evhttp (the client went): ours to free. Else it goes with
    // its connection.
    if (!evhttp_request_get_connection(req)) evhttp_send_reply_end(req);
}

bool InboxStreams::write(const Stream& s, const std::string& text) {
    if (backlog(s.req) > kMaxBacklog) return false;
    evbuffer* buf = evbuffer_new();
    evbuffer_add(buf, text.data(), text.size());
    evhttp_send_reply_chunk(s.req, buf);
    evbuffer_free(buf);
    return true;
}

void InboxStreams::drop(const std::vector<std::uint64_t>& ids, const char* reason) {
    for (std::uint64_t id : ids) {
        auto it = streams_.find(id);
        if (it == streams_.end()) continue;
        NLOG(info, "", "inbox stream closed user=" << it->second.user << " reason=" << reason);
        evhttp_connection* evcon = evhttp_request_get_connection(it->second.req);
        if (evcon) {
            evhttp_connection_free(evcon);  // closed() runs, and the request goes with it
        } else {
            closed(id);
        }
    }
}

std::string InboxStreams::message(const store::InboxEvent& e, std::int64_t unread) {
    json data = {{"unread", unread}};
    if (e.kind == "read_all") {
        data["category"] = e.category;
    } else if (auto item = inbox_.item_by_seq(e.item_seq)) {
        data["item"] = inbox_item_view(*item);
    }
    return sse(e.seq, e.kind.c_str(), data);
}

void InboxStreams::poll() {
    const util::Millis now = util::now_ms();
    std::vector<std::uint64_t> lagging;
    try {
        if (now >= next_prune_) {
            next_prune_ = now + 3600 * 1000;
            if (auto n = inbox_.prune_events(now - kKeepEvents))
                NLOG(info, "", "inbox events pruned count=" << n);
        }
        // With no stream open there is nobody to write to: skip to the end
        // (a stream that opens replays what it missed by itself).
        if (streams_.empty()) last_seq_ = std::max(last_seq_, inbox_.last_event_seq());
        for (;;) {
            auto events = inbox_.events_after(last_seq_, 1000);
            if (events.empty()) break;
            // Each user's unread count once per round, after all of its events.
            std::unordered_map<std::string, std::int64_t> unread;
            for (const auto& e : events)
                if (by_user_.count(e.user_id) && !unread.count(e.user_id))
                    unread[e.user_id] = inbox_.unread(e.user_id);
            std::uint64_t sent = 0;
            for (const auto& e : events) {
                if (auto users = by_user_.find(e.user_id); users != by_user_.end()) {
                    const std::string text = message(e, unread[e.user_id]);
                    for (std::uint64_t id : users->second) {
                        if (write(streams_.at(id), text))
                            ++sent;
                        else
                            lagging.push_back(id);
                    }
                }
                last_seq_ = e.seq;  // only once it is out: a failure tries it again
            }
            metrics_.inbox_events_sent(sent);
            if (events.size() < 1000) break;
        }
        drop(lagging, "client_lagging");
        if (auto line = failing_.recovered(now)) NLOG(info, "", *line);
    } catch (const store::StoreFailure& f) {
        drop(lagging, "client_lagging");
        if (auto line = failing_.failed(f.message, now)) NLOG(warning, "", *line);
    }
}

void InboxStreams::heartbeat() {
    // A comment, and the id of the last event every stream has had: a client
    // that comes back resumes from there, not from its own last event.
    const std::string beat = ":\nid: " + std::to_string(last_seq_) + "\n\n";
    const util::Millis now = util::now_ms();
    std::vector<std::uint64_t> lagging, expired;
    for (const auto& [id, s] : streams_) {
        if (s.expires_at != 0 && s.expires_at <= now)
            expired.push_back(id);
        else if (!write(s, beat))
            lagging.push_back(id);
    }
    drop(lagging, "client_lagging");
    // A stream lives no longer than its token: its client comes back with a
    // new one, or gets 401.
    for (std::uint64_t id : expired) end(id);
}

void InboxStreams::end(std::uint64_t id) {
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    evhttp_request* req = it->second.req;
    const bool attached = evhttp_request_get_connection(req) != nullptr;
    closed(id);
    if (attached) evhttp_send_reply_end(req);
}

void InboxStreams::close_all() {
    std::vector<std::uint64_t> ids;
    for (const auto& [id, s] : streams_) ids.push_back(id);
    for (std::uint64_t id : ids) end(id);
}

}  // namespace notify::ingest
