// zmq_server.cpp - ROUTER socket glue. ZMQ_FD is edge-triggered: after each wake
// and after each send, read ZMQ_EVENTS and receive until nothing is left, or a
// message can sit unnoticed until the next edge.
#include "zmq_server.hpp"

#include <event2/event.h>
#include <zmq.h>

#include <nlohmann/json.hpp>

#include "door.hpp"
#include "ingest_frame.hpp"
#include "util/ipc.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/zmq_again.hpp"

namespace notify::ingest {

using nlohmann::json;

ZmqServer::ZmqServer(event_base* base, void* zmq_context, Api& api, Metrics& metrics,
                     InFlight& inflight, long max_body_bytes)
    : base_(base),
      zmq_context_(zmq_context),
      api_(api),
      metrics_(metrics),
      inflight_(inflight),
      max_body_bytes_(max_body_bytes) {}

ZmqServer::~ZmqServer() {
    if (ev_) event_free(ev_);
    if (socket_) {
        int linger = 1000;  // let the last replies leave
        zmq_setsockopt(socket_, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(socket_);
        util::remove_ipc(endpoint_);
    }
}

Status ZmqServer::bind(const std::string& endpoint) {
    util::prepare_ipc(endpoint);
    socket_ = zmq_socket(zmq_context_, ZMQ_ROUTER);
    std::int64_t max_frame = ingest_frame_limit(max_body_bytes_);
    if (socket_) zmq_setsockopt(socket_, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    // tcp://[::1]:PORT and tcp://*:PORT on IPv6 too, not IPv4 alone.
    const int ipv6 = 1;
    if (socket_) zmq_setsockopt(socket_, ZMQ_IPV6, &ipv6, sizeof ipv6);
    if (!socket_ || zmq_bind(socket_, endpoint.c_str()) != 0)
        return make_error(
            ErrorKind::unavailable, "bind_failed",
            "cannot bind '" + endpoint + "' (ingest.listen): " + zmq_strerror(zmq_errno()));
    endpoint_ = endpoint;
    int fd = -1;
    size_t size = sizeof fd;
    zmq_getsockopt(socket_, ZMQ_FD, &fd, &size);
    ev_ = event_new(base_, fd, EV_READ | EV_PERSIST, &ZmqServer::on_readable, this);
    event_add(ev_, nullptr);
    return ok();
}

void ZmqServer::on_readable(int, short, void* arg) {
    static_cast<ZmqServer*>(arg)->drain();
}

void ZmqServer::drain() {
    if (draining_ || !socket_) return;  // the outer drain() keeps looping
    draining_ = true;
    for (;;) {
        int events = 0;
        size_t size = sizeof events;
        if (util::zmq_c_again(
                [&] { return zmq_getsockopt(socket_, ZMQ_EVENTS, &events, &size); }) != 0 ||
            !(events & ZMQ_POLLIN))
            break;
        std::vector<std::string> frames;
        bool more = true;
        bool failed = false;
        while (more) {
            zmq_msg_t msg;
            zmq_msg_init(&msg);
            if (util::zmq_c_again([&] { return zmq_msg_recv(&msg, socket_, ZMQ_DONTWAIT); }) < 0) {
                zmq_msg_close(&msg);
                failed = true;
                break;
            }
            frames.emplace_back(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
            more = zmq_msg_more(&msg);
            zmq_msg_close(&msg);
        }
        if (failed) break;  // EAGAIN: a whole message always arrives at once
        serve(std::move(frames));
    }
    draining_ = false;
}

std::string ZmqServer::reply_payload(const Response& r) {
    // The API's bodies are JSON text already; /metrics is plain text.
    const auto safe = json::error_handler_t::replace;
    std::string body =
        r.content_type == "application/json" ? r.body : json(r.body).dump(-1, ' ', false, safe);
    std::string out = "{\"status\":" + std::to_string(r.status) +
                      ",\"body\":" + (body.empty() ? std::string("null") : body);
    if (!r.headers.empty()) {
        json h = json::object();
        for (const auto& [name, value] : r.headers) h[name] = value;
        out += ",\"headers\":" + h.dump(-1, ' ', false, safe);
    }
    out += "}";
    return out;
}

Expected<Request> ZmqServer::parse_payload(const std::string& payload) {
    auto bad = [](const std::string& why) {
        return make_error(ErrorKind::invalid, "malformed_request",
                          "malformed request frame: " + why);
    };
    // The envelope is one level around the body, which parse_body bounds
    // again as it does an HTTP body.
    auto parsed = util::parse_json(
        payload, {.max_depth = util::kMaxJsonDepth + 1, .what = "the request frame"});
    if (!parsed && parsed.error().code == "invalid_utf8")
        return make_error(ErrorKind::invalid, "invalid_utf8",
                          "malformed request frame: it is not valid UTF-8");
    if (!parsed && parsed.error().code != "malformed_json") return parsed.error();
    if (!parsed || !parsed->is_object()) return bad("expected a JSON object");
    const json& j = *parsed;
    Request r;
    r.trusted = true;
    auto method = j.find("method");
    auto path = j.find("path");
    if (method == j.end() || !method->is_string()) return bad("'method' must be a string");
    if (path == j.end() || !path->is_string()) return bad("'path' must be a string");
    r.method = method->get<std::string>();
    r.path = path->get<std::string>();
    if (auto q = j.find("query"); q != j.end() && !q->is_null()) {
        if (!q->is_object()) return bad("'query' must be an object");
        for (const auto& [k, v] : q->items())
            r.query[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
    if (auto b = j.find("body"); b != j.end() && !b->is_null()) r.body = b->dump();
    return r;
}

void ZmqServer::serve(std::vector<std::string> frames) {
    if (frames.size() < 2) return;  // no identity and payload: nothing to answer
    std::string payload = std::move(frames.back());
    frames.pop_back();  // the envelope: identity and, from REQ, the empty delimiter
    auto req = parse_payload(payload);
    if (req) {
        if (auto st = check_body_size(req->body.size(), max_body_bytes_); !st) req = st.error();
    }
    if (!req) {
        Response r =
            error_response(req.error().kind == ErrorKind::too_large ? 413 : 400, req.error());
        metrics_.rejected(req.error().code);
        metrics_.zmq_request(r.status);
        NLOG(info, "",
             "rejected transport=zmq code=" << req.error().code << " " << req.error().message);
        send(frames, reply_payload(r));
        return;
    }
    inflight_.begin();
    auto envelope = std::make_shared<std::vector<std::string>>(std::move(frames));
    try {
        api_.handle(*req, [this, envelope](Response r) {
            metrics_.zmq_request(r.status);
            send(*envelope, reply_payload(r));
            inflight_.end();
        });
    } catch (const std::exception& e) {
        // Api::handle answers its own failures; this is the last line of defence.
        NLOG(error, "", "internal transport=zmq error=" << log::clip(e.what()));
        metrics_.zmq_request(500);
        send(*envelope, reply_payload(internal_response()));
        inflight_.end();
    }
}

void ZmqServer::send(const std::vector<std::string>& envelope, const std::string& payload) {
    if (!socket_) return;
    auto send_frame = [this](const std::string& f, int flags) {
        return util::zmq_c_again(
            [&] { return zmq_send(socket_, f.data(), f.size(), flags | ZMQ_DONTWAIT); });
    };
    for (const auto& f : envelope)
        if (send_frame(f, ZMQ_SNDMORE) < 0) return;
    send_frame(payload, 0);
    // Sending can consume the edge that announced waiting input.
    drain();
}

}  // namespace notify::ingest
