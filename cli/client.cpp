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
#include "util/strings.hpp"
#include "util/time.hpp"
#include "zmtp_req.hpp"

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

// How long to wait for a connection to one of several notify-ingests before
// asking the next: long enough for a distant host, short enough that a stopped
// one costs little.
constexpr Millis kNextConnectWait = 250;
// The largest reply read: a page of a listing or a report is far smaller.
constexpr uint64_t kMaxReplyBytes = 256ull << 20;

// The idempotency key a send carries, or "".
std::string idempotency_key_of(const Request& request) {
    if (request.method != "POST" || request.path != "/v1/notifications" ||
        !request.body.is_object())
        return {};
    auto key = request.body.find("idempotency_key");
    return key != request.body.end() && key->is_string() ? key->get<std::string>() : std::string();
}

// `what` is what happened: "did not answer within 5s", "closed the connection...".
std::string no_answer(const std::string& endpoint, const Request& request,
                      const std::string& what) {
    std::string text = "notify-ingest at '" + endpoint + "' " + what;
    if (const std::string key = idempotency_key_of(request); !key.empty())
        return text + "; the notification may have been stored: send it again with " +
               "--idempotency-key " + key + " and it is stored once";
    if (request.method == "POST" && request.path == "/v1/notifications")
        return text +
               "; the notification may have been stored (check 'notifyctl ls' before sending "
               "again, or use --idempotency-key)";
    if (request.method == "POST")
        return text + "; the request may have been carried out (check with 'notifyctl status')";
    return text + " (is it overloaded? see its log, or raise --timeout)";
}

// A request that may have been carried out already and may still be asked of
// another notify-ingest: a read, or a send that carries an idempotency key
// (the other answers with the notification the first one stored, if it did).
bool replayable(const Request& request) {
    return request.method == "GET" || !idempotency_key_of(request).empty();
}

std::string error_code_of(const Reply& reply) {
    const nlohmann::json& body = reply.body;
    return body.is_object() && body.contains("error") && body["error"].is_object()
               ? body["error"].value("code", std::string())
               : std::string();
}

// Whether the next notify-ingest should be asked after this one's outcome:
// this one was not reached, or was stopping (nothing was done); or the request
// may be asked again and this one did not answer or could not use the store.
bool ask_another(const Expected<Reply>& outcome, const Request& request) {
    if (!outcome) {
        const std::string& code = outcome.error().code;
        return code == "not_reachable" || (code == "no_answer" && replayable(request));
    }
    if (outcome->status != 503) return false;
    const std::string code = error_code_of(*outcome);
    return code == "shutting_down" || (code == "store_unavailable" && replayable(request));
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
                         long max_body_bytes, Millis connect_wait) {
    // A local socket that does not exist means nothing is listening: say so at once
    // instead of waiting out the timeout. (ipc://@NAME is in the abstract namespace.)
    const std::string path = util::ipc_path(endpoint);
    if (!path.empty() && path[0] != '@' && access(path.c_str(), F_OK) != 0)
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
    auto reply =
        zmtp_request(endpoint, frame, std::min(timeout, connect_wait), timeout, kMaxReplyBytes);
    if (reply) return decode_reply(*reply);
    const Error& e = reply.error();
    if (e.code == "bad_endpoint")
        return make_error(ErrorKind::usage, "bad_endpoint",
                          "cannot connect to '" + endpoint + "' (notifyctl.ingest): " + e.message);
    if (e.code == "not_reachable")
        return make_error(ErrorKind::unavailable, "not_reachable",
                          "notify-ingest is not reachable at '" + endpoint + "': " + e.message +
                              " (is it running? try 'notifyctl up')");
    if (e.code == "no_answer")
        return make_error(ErrorKind::temporary, "no_answer",
                          no_answer(endpoint, request, e.message));
    return make_error(e.kind, e.code == "zmtp" ? "bad_reply" : e.code,
                      "notify-ingest at '" + endpoint + "' " +
                          (e.code == "zmtp" ? "broke ZeroMQ's protocol: " : "") + e.message);
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
            if (code == "store_unavailable" || code == "too_many_waits" || code == "shutting_down")
                return exit_temp;
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

Expected<Reply> Api::exchange_any(const Request& request, std::string& asked_before) {
    const std::vector<std::string>& endpoints = config_.notifyctl.ingest;
    std::vector<std::string> passed;  // the endpoints asked before, and why they were passed by
    for (std::size_t i = 0;; ++i) {
        const bool last = i + 1 == endpoints.size();
        auto outcome =
            exchange(endpoints[i], request, ctx_.globals.timeout + request.held,
                     config_.ingest.max_body_bytes, last ? kConnectWait : kNextConnectWait);
        if (last || !ask_another(outcome, request)) {
            asked_before = passed.empty() ? std::string()
                                          : " (asked before: " + util::join(passed, "; ") + ")";
            if (outcome) return outcome;
            return make_error(outcome.error().kind, outcome.error().code,
                              outcome.error().message + asked_before);
        }
        passed.push_back(
            "'" + endpoints[i] + "' " +
            (outcome ? "answered " + std::to_string(outcome->status) + " " + error_code_of(*outcome)
             : outcome.error().code == "not_reachable" ? std::string("could not be reached")
                                                       : std::string("did not answer")));
    }
}

int Api::ask(const Request& request, std::string_view what, nlohmann::json& body,
             std::string& error, std::string_view code, std::string_view hint) {
    std::string asked_before;
    auto reply = exchange_any(request, asked_before);
    if (!reply) {
        error = error_text(reply.error());
        return exit_code(reply.error().kind);
    }
    const std::string error_code = error_code_of(*reply);
    int rc = exit_code_for_reply(reply->status, error_code);
    if (rc != exit_ok) {
        error = describe_error(*reply, what);
        if (!hint.empty() && error_code == code) error += " (" + std::string(hint) + ")";
        error += asked_before;
        return rc;
    }
    body = std::move(reply->body);
    return exit_ok;
}

}  // namespace notify::cli
