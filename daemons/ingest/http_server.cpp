// http_server.cpp - evhttp glue: requests in, JSON answers out.
#include "http_server.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "door.hpp"
#include "http_status.hpp"
#include "util/log.hpp"

namespace notify::ingest {

namespace {

const char* method_name(evhttp_cmd_type cmd) {
    switch (cmd) {
        case EVHTTP_REQ_GET:
            return "GET";
        case EVHTTP_REQ_POST:
            return "POST";
        case EVHTTP_REQ_HEAD:
            return "HEAD";
        case EVHTTP_REQ_PUT:
            return "PUT";
        case EVHTTP_REQ_DELETE:
            return "DELETE";
        case EVHTTP_REQ_OPTIONS:
            return "OPTIONS";
        case EVHTTP_REQ_TRACE:
            return "TRACE";
        case EVHTTP_REQ_CONNECT:
            return "CONNECT";
        case EVHTTP_REQ_PATCH:
            return "PATCH";
    }
    return "UNKNOWN";
}

}  // namespace

HttpLimits HttpLimits::from(const Config& config) {
    HttpLimits l;
    l.max_body_bytes = config.ingest.max_body_bytes;
    l.max_url_bytes = config.ingest.http_max_url_bytes;
    l.max_header_bytes = config.ingest.http_max_header_bytes;
    l.max_headers = config.ingest.http_max_headers;
    l.max_connections = config.ingest.max_connections;
    l.idle_timeout = config.ingest.http_idle_timeout;
    l.request_timeout = config.ingest.http_request_timeout;
    return l;
}

HttpServer::HttpServer(event_base* base, Api& api, Metrics& metrics, InFlight& inflight,
                       const HttpLimits& limits, InboxStreams& streams)
    : api_(api),
      streams_(streams),
      metrics_(metrics),
      inflight_(inflight),
      limits_(limits),
      backoff_(base, metrics) {
    http_ = evhttp_new(base);
    evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                          EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                          EVHTTP_REQ_PATCH);
    // A head up to the URL and header limits is read whole and answered 414 or
    // 431 by over_limit(); evhttp cuts off what is far beyond them.
    long head = limits.max_url_bytes + limits.max_header_bytes + 4096;
    evhttp_set_max_headers_size(http_, head);
    // A body up to max_body_bytes plus the head is read and answered 413 by
    // over_limit(); HttpConnections refuses one that goes beyond while it
    // arrives. evhttp's own limit stays off: it refuses by Content-Length
    // before reading (an HTML 413 and a reset while the client still sends).
    ConnectionLimits c;
    c.max_connections = limits.max_connections;
    c.idle_timeout = limits.idle_timeout;
    c.request_timeout = limits.request_timeout;
    c.max_request_bytes = limits.max_body_bytes + head;
    evhttp_set_max_body_size(http_, -1);
    connections_ = std::make_unique<HttpConnections>(base, http_, c, metrics);
    streamed_ = std::make_unique<StreamedReplies>(*connections_);
    evhttp_set_gencb(http_, &HttpServer::on_request, this);
}

HttpServer::~HttpServer() {
    backoff_.watch(nullptr);
    // Frees the connections, which tells connections_ (still alive here).
    if (http_) evhttp_free(http_);
}

Status HttpServer::bind(const std::string& host_port) {
    auto colon = host_port.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return make_error(ErrorKind::invalid, "invalid_config",
                          "ingest.http '" + host_port + "' must be host:port");
    std::string host = host_port.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    long port = std::strtol(host_port.c_str() + colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return make_error(ErrorKind::invalid, "invalid_config",
                          "ingest.http '" + host_port + "': bad port");
    listener_ = evhttp_bind_socket_with_handle(http_, host.c_str(), static_cast<ev_uint16_t>(port));
    if (!listener_)
        return make_error(
            ErrorKind::unavailable, "bind_failed",
            "cannot listen on '" + host_port + "' (ingest.http): " + std::strerror(errno));
    backoff_.watch(evhttp_bound_socket_get_listener(listener_));
    // Accepted sockets inherit this on Linux; HttpConnections sets it again on each.
    int one = 1;
    setsockopt(evhttp_bound_socket_get_fd(listener_), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return ok();
}

void HttpServer::close_listener() {
    backoff_.watch(nullptr);
    if (listener_) evhttp_del_accept_socket(http_, listener_);
    listener_ = nullptr;
}

void HttpServer::on_request(evhttp_request* req, void* arg) {
    static_cast<HttpServer*>(arg)->handle(req);
}

std::optional<HttpServer::Refusal> HttpServer::over_limit(evhttp_request* req,
                                                          size_t body_bytes) const {
    auto refuse = [](int status, const char* code, const std::string& message, const char* field) {
        return Refusal{status, make_error(ErrorKind::invalid, code, message, field)};
    };
    const char* uri = evhttp_request_get_uri(req);
    size_t uri_bytes = uri ? std::strlen(uri) : 0;
    if (static_cast<long>(uri_bytes) > limits_.max_url_bytes)
        return refuse(414, "url_too_long",
                      "the URL of " + std::to_string(uri_bytes) + " bytes is over the limit of " +
                          std::to_string(limits_.max_url_bytes) + " (ingest.http_max_url_bytes)",
                      "url");
    long count = 0;
    long bytes = 0;
    evkeyvalq* headers = evhttp_request_get_input_headers(req);
    for (evkeyval* kv = headers->tqh_first; kv; kv = kv->next.tqe_next) {
        ++count;
        bytes += static_cast<long>(std::strlen(kv->key) + std::strlen(kv->value) + 4);
    }
    if (count > limits_.max_headers)
        return refuse(431, "too_many_headers",
                      std::to_string(count) + " header fields are over the limit of " +
                          std::to_string(limits_.max_headers) + " (ingest.http_max_headers)",
                      "headers");
    if (bytes > limits_.max_header_bytes)
        return refuse(
            431, "headers_too_large",
            "header fields of " + std::to_string(bytes) + " bytes are over the limit of " +
                std::to_string(limits_.max_header_bytes) + " (ingest.http_max_header_bytes)",
            "headers");
    if (auto st = check_body_size(body_bytes, limits_.max_body_bytes); !st)
        return Refusal{413, st.error()};
    return std::nullopt;
}

void HttpServer::reply(evhttp_request* req, Response resp) {
    if (resp.stream)
        return metrics_.http_request(streams_.open(req, *connections_, *resp.stream, resp.headers));
    if (resp.streamed) {
        streamed_->start(req, resp);
        return metrics_.http_request(200);
    }
    evkeyvalq* out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Content-Type", resp.content_type.c_str());
    for (const auto& [name, value] : resp.headers)
        evhttp_add_header(out, name.c_str(), value.c_str());
    evbuffer* buf = evbuffer_new();
    if (resp.body.size() < kBodyCopied) {
        evbuffer_add(buf, resp.body.data(), resp.body.size());
    } else {
        // A large body (a report, a page of metrics) is sent from where it
        // was written, not copied: the buffer owns it until it is sent.
        auto* body = new std::string(std::move(resp.body));
        evbuffer_add_reference(
            buf, body->data(), body->size(),
            [](const void*, size_t, void* owned) { delete static_cast<std::string*>(owned); },
            body);
    }
    evhttp_send_reply(req, resp.status, http_reason(resp.status), buf);
    evbuffer_free(buf);
    metrics_.http_request(resp.status);
}

void HttpServer::handle(evhttp_request* req) {
    connections_->dispatched(req);
    evbuffer* in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    if (auto refused = over_limit(req, len)) {
        // The path only: a query may carry a secret (a receipts URL's token).
        const char* uri = evhttp_request_get_uri(req);
        std::string_view path = uri ? uri : "";
        path = path.substr(0, path.find('?'));
        metrics_.rejected(refused->error.code);
        NLOG(info, "",
             "rejected transport=http code=" << refused->error.code << " status=" << refused->status
                                             << " path=" << log::clip(path, 128));
        return reply(req, error_response(refused->status, refused->error));
    }
    Request r;
    r.method = method_name(evhttp_request_get_command(req));
    r.head = r.method == "HEAD";
    if (r.head) r.method = "GET";  // evhttp leaves the body out itself
    // Chunks end an answer plainly, and a cut-off one visibly, from HTTP/1.1 on.
    r.streamable = !r.head && (req->major > 1 || (req->major == 1 && req->minor >= 1));
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
    const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
    r.path = path && *path ? path : "/";
    if (const char* q = uri ? evhttp_uri_get_query(uri) : nullptr) {
        evkeyvalq params;
        if (evhttp_parse_query_str(q, &params) == 0) {
            for (evkeyval* kv = params.tqh_first; kv; kv = kv->next.tqe_next) {
                // by=day&by=channel is by=day,channel; any other repeated one: the last.
                auto [it, added] = r.query.try_emplace(kv->key, kv->value);
                if (!added)
                    it->second = it->first == "by" ? it->second + "," + kv->value : kv->value;
            }
        }
        evhttp_clear_headers(&params);
    }
    if (const char* auth =
            evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization"))
        r.authorization = auth;
    for (const char* name : kKeptHeaders)
        if (const char* v = evhttp_find_header(evhttp_request_get_input_headers(req), name))
            r.headers.emplace(name, v);
    if (len) {
        r.body.resize(len);
        evbuffer_copyout(in, r.body.data(), len);
    }
    inflight_.begin();
    auto answer = [this, req](Response resp) {
        reply(req, std::move(resp));
        inflight_.end();
    };
    try {
        api_.handle(r, answer);
    } catch (const std::exception& e) {
        // Api::handle answers its own failures; this is the last line of defence.
        NLOG(error, "", "internal transport=http error=" << e.what());
        answer(internal_response());
    }
}

}  // namespace notify::ingest
