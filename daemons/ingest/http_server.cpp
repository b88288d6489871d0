// http_server.cpp - evhttp glue: requests in, JSON answers out.
#include "http_server.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

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

const char* reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 202:
            return "Accepted";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 409:
            return "Conflict";
        case 413:
            return "Payload Too Large";
        case 422:
            return "Unprocessable Entity";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}

}  // namespace

HttpServer::HttpServer(event_base* base, Api& api, Metrics& metrics, InFlight& inflight,
                       long max_body_bytes)
    : api_(api), metrics_(metrics), inflight_(inflight) {
    http_ = evhttp_new(base);
    evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                          EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                          EVHTTP_REQ_PATCH);
    // The API answers bodies over ingest.max_body_bytes with a JSON 413; evhttp's
    // own limit only bounds memory for bodies far beyond that.
    evhttp_set_max_body_size(http_, max_body_bytes * 2 + 65536);
    evhttp_set_timeout(http_, 60);
    evhttp_set_gencb(http_, &HttpServer::on_request, this);
}

HttpServer::~HttpServer() {
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
    // Accepted sockets inherit this on Linux; tune_connection() sets it again on each.
    int one = 1;
    setsockopt(evhttp_bound_socket_get_fd(listener_), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return ok();
}

void HttpServer::close_listener() {
    if (listener_) evhttp_del_accept_socket(http_, listener_);
    listener_ = nullptr;
}

void HttpServer::on_request(evhttp_request* req, void* arg) {
    static_cast<HttpServer*>(arg)->handle(req);
}

void HttpServer::on_connection_closed(evhttp_connection* conn, void* arg) {
    static_cast<HttpServer*>(arg)->tuned_.erase(conn);
}

void HttpServer::tune_connection(evhttp_request* req) {
    evhttp_connection* conn = evhttp_request_get_connection(req);
    if (!conn || !tuned_.insert(conn).second) return;
    evhttp_connection_set_closecb(conn, &HttpServer::on_connection_closed, this);
    if (bufferevent* bev = evhttp_connection_get_bufferevent(conn)) {
        int one = 1;
        setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

void HttpServer::handle(evhttp_request* req) {
    tune_connection(req);
    Request r;
    r.method = method_name(evhttp_request_get_command(req));
    if (r.method == "HEAD") r.method = "GET";  // evhttp leaves the body out itself
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
    const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
    r.path = path && *path ? path : "/";
    if (const char* q = uri ? evhttp_uri_get_query(uri) : nullptr) {
        evkeyvalq params;
        if (evhttp_parse_query_str(q, &params) == 0) {
            for (evkeyval* kv = params.tqh_first; kv; kv = kv->next.tqe_next)
                r.query[kv->key] = kv->value;
        }
        evhttp_clear_headers(&params);
    }
    if (const char* auth =
            evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization"))
        r.authorization = auth;
    evbuffer* in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    if (len) {
        r.body.resize(len);
        evbuffer_copyout(in, r.body.data(), len);
    }
    inflight_.begin();
    auto answer = [this, req](Response resp) {
        evkeyvalq* out = evhttp_request_get_output_headers(req);
        evhttp_add_header(out, "Content-Type", resp.content_type.c_str());
        for (const auto& [name, value] : resp.headers)
            evhttp_add_header(out, name.c_str(), value.c_str());
        evbuffer* buf = evbuffer_new();
        evbuffer_add(buf, resp.body.data(), resp.body.size());
        evhttp_send_reply(req, resp.status, reason(resp.status), buf);
        evbuffer_free(buf);
        metrics_.http_request(resp.status);
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
