// streamed_replies.cpp - chunked answers fed by a StreamedBody.
#include "streamed_replies.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>

#include <string>
#include <vector>

#include "api.hpp"
#include "http_connections.hpp"
#include "streamed_body.hpp"
#include "util/log.hpp"

namespace notify::ingest {

StreamedReplies::~StreamedReplies() {
    for (auto& [evcon, s] : sending_) {
        s.body->on_ready(nullptr);
        s.body->cancel();
    }
}

void StreamedReplies::start(evhttp_request* req, const Response& resp) {
    const auto& body = resp.streamed;
    evhttp_connection* evcon = evhttp_request_get_connection(req);
    if (!evcon) {
        // The client went before the answer began: the request is ours to free.
        body->cancel();
        evhttp_send_reply_end(req);
        return;
    }
    // Counted against ingest.max_connections as any answer is.
    if (closing_ || !connections_.stream(
                        req, [this, evcon] { closed(evcon); }, false)) {
        body->cancel();
        evhttp_connection_free(evcon);  // the request goes with it
        return;
    }
    evkeyvalq* out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Content-Type", resp.content_type.c_str());
    for (const auto& [name, value] : resp.headers)
        evhttp_add_header(out, name.c_str(), value.c_str());
    evhttp_add_header(out, "Connection", "close");
    evhttp_send_reply_start(req, 200, "OK");
    evbuffer* output = bufferevent_get_output(evhttp_connection_get_bufferevent(evcon));
    sending_[evcon] = Sending{req, body, output};
    if (by_output_.emplace(output, evcon).second)
        evbuffer_add_cb(output, &StreamedReplies::on_drained, this);
    body->on_ready([this, evcon] { pump(evcon); });
    pump(evcon);
}

void StreamedReplies::pump(evhttp_connection* evcon) {
    auto it = sending_.find(evcon);
    if (it == sending_.end()) return;
    Sending& s = it->second;
    StreamedBody::Taken taken = s.body->take();
    for (auto& piece : taken.pieces) {
        if (piece.empty()) continue;
        auto* owned = new std::string(std::move(piece));
        evbuffer* buf = evbuffer_new();
        evbuffer_add_reference(
            buf, owned->data(), owned->size(),
            [](const void*, size_t, void* text) { delete static_cast<std::string*>(text); }, owned);
        evhttp_send_reply_chunk(s.req, buf);
        evbuffer_free(buf);
    }
    if (!taken.finished) return;
    if (taken.failure.empty()) {
        evhttp_request* req = s.req;
        s.body->on_ready(nullptr);
        by_output_.erase(s.output);
        sending_.erase(it);
        evhttp_send_reply_end(req);  // the connection closes once it is written
        return;
    }
    cut_off(evcon, s, taken.failure, log::Level::warning);
}

void StreamedReplies::cut_off(evhttp_connection* evcon, Sending& s, const std::string& why,
                              log::Level level) {
    if (log::enabled(level)) log::write(level, "", "answer cut off: " + why);
    s.cut_here = true;
    evhttp_connection_free(evcon);  // closed() runs, and the request goes with it
}

void StreamedReplies::on_drained(evbuffer* output, const evbuffer_cb_info* info, void* arg) {
    if (info->n_deleted == 0) return;
    auto* self = static_cast<StreamedReplies*>(arg);
    auto owner = self->by_output_.find(output);
    if (owner == self->by_output_.end()) return;
    auto it = self->sending_.find(owner->second);
    if (it != self->sending_.end()) it->second.body->written(info->n_deleted);
}

void StreamedReplies::closed(evhttp_connection* evcon) {
    auto it = sending_.find(evcon);
    if (it == sending_.end()) return;
    if (!it->second.cut_here)
        NLOG(warning, "",
             "answer cut off: the connection closed before its end (the client went, or took "
             "nothing for ingest.http_idle_timeout)");
    evhttp_request* req = it->second.req;
    it->second.body->on_ready(nullptr);
    it->second.body->cancel();
    by_output_.erase(it->second.output);
    sending_.erase(it);
    // Detached by evhttp (the client went): ours to free. Else it goes with
    // its connection.
    if (!evhttp_request_get_connection(req)) evhttp_send_reply_end(req);
}

void StreamedReplies::close_all() {
    closing_ = true;
    std::vector<evhttp_connection*> open;
    for (const auto& [evcon, s] : sending_) open.push_back(evcon);
    for (evhttp_connection* evcon : open) {
        auto it = sending_.find(evcon);
        if (it != sending_.end())
            cut_off(evcon, it->second, "notify-ingest is stopping", log::Level::info);
    }
}

}  // namespace notify::ingest
