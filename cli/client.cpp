// client.cpp - the REQ side of notifyctl <-> notify-ingest, and what replies
// mean for the exit code (sysexits.h, as INTERFACE.md lists them).
#include "client.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "ingest_frame.hpp"
#include "util/ipc.hpp"
#include "util/json_parse.hpp"
#include "util/time.hpp"
#include "zmq_library.hpp"

namespace notify::cli {

std::string encode_request(const Request& request) {
    nlohmann::json q = nlohmann::json::object();
    for (const auto& [k, v] : request.query) q[k] = v;
    nlohmann::json frame = {{"method", request.method},
                            {"path", request.path},
                            {"query", std::move(q)},
                            {"body", request.body}};
    return frame.dump();
}

namespace {

// How long to wait for the connection before calling notify-ingest unreachable.
constexpr Millis kConnectWait = 1000;

std::string no_answer(const Request& request, Millis timeout) {
    std::string text = "notify-ingest did not answer within " + util::format_duration(timeout);
    if (request.method == "POST" && request.path == "/v1/notifications")
        return text +
               "; the notification may have been stored (check 'notifyctl ls' before sending "
               "again, or use --idempotency-key)";
    if (request.method == "POST")
        return text + "; the request may have been carried out (check with 'notifyctl status')";
    return text + " (is it overloaded? see its log, or raise --timeout)";
}

}  // namespace

Expected<Reply> decode_reply(std::string_view frame) {
    auto bad = [](const std::string& why) {
        return make_error(ErrorKind::internal, "bad_reply",
                          "notify-ingest sent a malformed reply: " + why);
    };
    nlohmann::json j = util::json_or_discarded(frame);
    if (j.is_discarded()) return bad("not JSON");
    if (!j.is_object() || !j.contains("status") || !j["status"].is_number_integer())
        return bad("no integer \"status\"");
    Reply r;
    r.status = j["status"].get<int>();
    if (j.contains("body")) r.body = j["body"];
    return r;
}

Expected<Reply> exchange(const std::string& endpoint, const Request& request, Millis timeout,
                         long max_body_bytes) {
    // A local socket that does not exist means nothing is listening: say so at once
    // instead of waiting out the timeout.
    const std::string path = util::ipc_path(endpoint);
    if (!path.empty() && access(path.c_str(), F_OK) != 0)
        return make_error(ErrorKind::unavailable, "not_reachable",
                          "notify-ingest is not reachable at '" + endpoint +
                              "': no such socket (is it running? try 'notifyctl up')");
    std::string frame;
    try {
        frame = encode_request(request);
    } catch (const nlohmann::json::exception&) {
        return make_error(ErrorKind::invalid, "invalid_utf8",
                          "the request holds text that is not valid UTF-8");
    }
    // notify-ingest's socket drops a larger frame unanswered: say so now.
    if (auto st = check_ingest_frame(frame.size(), max_body_bytes); !st) return st.error();
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&start] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
            .count();
    };
    const ZmqLibrary* z = nullptr;
    try {
        z = &zmq_library();
    } catch (const std::runtime_error& e) {
        return make_error(ErrorKind::internal, "no_zmq", e.what());
    }
    auto bad_endpoint = [&] {
        return make_error(ErrorKind::usage, "bad_endpoint",
                          "cannot connect to ingest.listen '" + endpoint + "': " + z->last_error());
    };
    // One context per process is the rule; notifyctl makes few requests.
    static void* const context = z->ctx_new();
    if (!context) return bad_endpoint();
    // A new socket per request, closed on every way out.
    std::unique_ptr<void, int (*)(void*)> socket(z->socket(context, ZMQ_REQ), z->close);
    if (!socket) return bad_endpoint();
    const int linger = 0;
    // Queue nothing until a connection is up, so that "nobody listens" (the
    // request never left: exit 69) and "nobody answered" (it did: exit 75) are
    // told apart.
    const int immediate = 1;
    if (z->setsockopt(socket.get(), ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        z->setsockopt(socket.get(), ZMQ_IMMEDIATE, &immediate, sizeof immediate) != 0 ||
        z->connect(socket.get(), endpoint.c_str()) != 0)
        return bad_endpoint();
    const Millis connect_wait = std::min(timeout, kConnectWait);
    zmq_pollitem_t out{socket.get(), 0, ZMQ_POLLOUT, 0};
    if (z->poll(&out, 1, connect_wait) < 0) return bad_endpoint();
    if (!(out.revents & ZMQ_POLLOUT) ||
        z->send(socket.get(), frame.data(), frame.size(), ZMQ_DONTWAIT) < 0)
        return make_error(ErrorKind::unavailable, "not_reachable",
                          "notify-ingest is not reachable at '" + endpoint +
                              "': no connection within " + util::format_duration(connect_wait) +
                              " (is it running? try 'notifyctl up')");
    zmq_pollitem_t in{socket.get(), 0, ZMQ_POLLIN, 0};
    if (z->poll(&in, 1, std::max<Millis>(timeout - elapsed(), 0)) < 0) return bad_endpoint();
    zmq_msg_t reply;
    z->msg_init(&reply);
    std::unique_ptr<zmq_msg_t, int (*)(zmq_msg_t*)> held(&reply, z->msg_close);
    if (!(in.revents & ZMQ_POLLIN) || z->msg_recv(&reply, socket.get(), ZMQ_DONTWAIT) < 0)
        return make_error(ErrorKind::temporary, "no_answer", no_answer(request, timeout));
    return decode_reply(
        std::string_view(static_cast<const char*>(z->msg_data(&reply)), z->msg_size(&reply)));
}

bool is_usage_code(std::string_view code) {
    return code == "usage" || code == "bad_request" || code == "invalid_query" ||
           code == "unknown_parameter";
}

int exit_code_for_reply(int status, std::string_view code) {
    if (status >= 200 && status < 300) return exit_ok;
    switch (status) {
        case 400:
        case 404:
        case 409:
        case 413:
        case 422:
            return is_usage_code(code) ? exit_usage : exit_data;
        case 401:
        case 403:
            return exit_no_perm;
        case 429:
            return exit_temp;
        case 503:
            if (code == "store_unavailable") return exit_temp;
            if (code == "router_unavailable") return exit_unavailable;
            return exit_software;
        default:
            return exit_software;
    }
}

std::string describe_error(const Reply& reply, std::string_view what) {
    std::string out(what);
    const nlohmann::json* err = nullptr;
    if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_object())
        err = &reply.body["error"];
    if (!err) return out + ": notify-ingest answered with status " + std::to_string(reply.status);
    auto text = [&](const char* key) {
        return err->contains(key) && (*err)[key].is_string() ? (*err)[key].get<std::string>()
                                                             : std::string();
    };
    std::string message = text("message"), field = text("field"), code = text("code");
    if (!field.empty()) out += ": field '" + field + "'";
    out += ": " + (message.empty() ? code : message);
    return out;
}

std::string path_segment(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

int Api::open() {
    auto config = load(ctx_);
    if (!config) return fail(ctx_, config.error());
    config_ = std::move(*config);
    return exit_ok;
}

int Api::call(const Request& request, std::string_view what, nlohmann::json& body) {
    return call(request, what, body, {}, {});
}

int Api::call(const Request& request, std::string_view what, nlohmann::json& body,
              std::string_view code, std::string_view hint) {
    std::string error;
    const int rc = ask(request, what, body, error, code, hint);
    return rc == exit_ok ? rc : fail(ctx_, rc, error);
}

int Api::ask(const Request& request, std::string_view what, nlohmann::json& body,
             std::string& error, std::string_view code, std::string_view hint) {
    auto reply = exchange(config_.ingest.listen, request, ctx_.globals.timeout,
                          config_.ingest.max_body_bytes);
    if (!reply) {
        error = error_text(reply.error());
        return exit_code(reply.error().kind);
    }
    const std::string error_code =
        reply->body.is_object() && reply->body.contains("error") && reply->body["error"].is_object()
            ? reply->body["error"].value("code", std::string())
            : std::string();
    int rc = exit_code_for_reply(reply->status, error_code);
    if (rc != exit_ok) {
        error = describe_error(*reply, what);
        if (!hint.empty() && error_code == code) error += " (" + std::string(hint) + ")";
        return rc;
    }
    body = std::move(reply->body);
    return exit_ok;
}

}  // namespace notify::cli
