// client.hpp - notifyctl's transport to notify-ingest: one JSON frame sent as a
// ZeroMQ REQ socket sends it (zmtp_req.hpp) to an endpoint of notifyctl.ingest
// (by default ingest.listen), carrying an HTTP-shaped request
//   {"method":"POST","path":"/v1/notifications","query":{"k":"v"},"body":<JSON or null>}
// and one frame back: {"status":202,"body":<JSON>}. The bodies are exactly those
// of the HTTP/JSON API (INTERFACE.md).
//
// Also the mapping of replies to exit codes and one-line error messages.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "command.hpp"
#include "util/error.hpp"

namespace notify::cli {

struct Request {
    std::string method = "GET";
    std::string path;
    std::map<std::string, std::string> query;
    nlohmann::json body;  // null when there is none
    // How long notify-ingest may hold the answer (?wait=): added to --timeout.
    Millis held = 0;
};

struct Reply {
    int status = 0;
    nlohmann::json body;
};

// The frame sent for a request, and the reply read back from a frame.
std::string encode_request(const Request& request);
Expected<Reply> decode_reply(std::string_view frame);

// How long to wait for the connection before calling notify-ingest unreachable.
constexpr Millis kConnectWait = 1000;

// Sends one request and waits up to `timeout` for its reply, over a new
// connection per call. Unavailable (exit 69) when no connection came up
// within min(timeout, connect_wait), so nothing was sent;
// temporary (exit 75) when the request went out and no reply came; too_large
// (exit 65) at once, before connecting, for a request over the frame limit that
// `max_body_bytes` (ingest.max_body_bytes) gives notify-ingest's socket.
Expected<Reply> exchange(const std::string& endpoint, const Request& request, Millis timeout,
                         long max_body_bytes, Millis connect_wait = kConnectWait);

// Exit code for an API reply (0 for 2xx); `code` is body.error.code.
int exit_code_for_reply(int status, std::string_view code);
// True for error code words that mean the request itself was malformed.
bool is_usage_code(std::string_view code);
// "<what>: <message>" with the field the API names, for a non-2xx reply.
std::string describe_error(const Reply& reply, std::string_view what);

// A URL path segment with everything outside [A-Za-z0-9-._~] percent-encoded.
std::string path_segment(std::string_view text);

// What commands use: loads the config once, sends requests, and prints the
// error for anything that is not a 2xx reply.
class Api {
  public:
    explicit Api(Context& ctx) : ctx_(ctx) {}
    // Loads the configuration; 0, or the exit code after printing the error.
    int open();
    // 0 and the reply's body in `body`, or the exit code after printing the
    // error, which starts with `what`.
    int call(const Request& request, std::string_view what, nlohmann::json& body);
    // The same; an error whose code word is `code` ends with `hint`, as in
    // "schedule add: schedule 'x' exists (use --replace to change it)".
    int call(const Request& request, std::string_view what, nlohmann::json& body,
             std::string_view code, std::string_view hint);
    // The same, printing nothing: the error's text goes to `error`.
    int ask(const Request& request, std::string_view what, nlohmann::json& body, std::string& error,
            std::string_view code = {}, std::string_view hint = {});
    const Config& config() const { return config_; }

  private:
    // The reply of the first of notifyctl.ingest that gives one: the next is
    // asked where one cannot be reached or is stopping, and, for a request
    // that may be asked again (a read, a send with an idempotency key), where
    // one did not answer or could not use the store. `asked_before` is set to
    // " (asked before: 'A' could not be reached; ...)", or "" when the first
    // gave the reply; an error carries it already.
    Expected<Reply> exchange_any(const Request& request, std::string& asked_before);

    Context& ctx_;
    Config config_;
};

}  // namespace notify::cli
