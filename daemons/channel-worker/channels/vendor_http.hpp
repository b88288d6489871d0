// vendor_http.hpp - one request to a vendor's HTTP API, for the adapters of
// hosted services (DingTalk, WeCom, Feishu, WeChat, SMS gateways, Slack,
// Telegram, OneBot). The adapter builds the request; the transfer sends it
// with the options every adapter wants (see transfer.hpp), a User-Agent, no
// "Expect: 100-continue", and hands the reply to the adapter's handler, which
// reads the vendor's own error code and ends or continues the attempt.
// A transfer that failed below HTTP (no connection, timeout) never reaches the
// handler: it is retryable with code "curl:N".
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "channels/adapter.hpp"
#include "channels/transfer.hpp"
#include "util/form.hpp"

namespace notify::channels {

struct HttpRequest {
    std::string method = "POST";       // "GET" or "POST"
    std::string url;                   // with its query string
    std::vector<std::string> headers;  // "Name: value", Content-Type included
    std::string body;                  // POST only
    // HTTP/2 only (TLS with ALPN for https://, prior knowledge for http://),
    // waiting for a connection that can carry one more stream rather than
    // opening another (many concurrent requests share one connection).
    bool http2 = false;
    std::string ca_file = {};  // trust this CA bundle instead of the system's, or ""
};

struct HttpReply {
    long status = 0;
    std::string body;
    std::string retry_after;                // the Retry-After header, or ""
    std::vector<std::string> headers = {};  // the response's header lines
    // The value of the last header `name` (case-insensitive), trimmed; or "".
    std::string header(std::string_view name) const { return header_in(headers, name); }
};

using ReplyHandler = std::function<Started(const HttpReply&)>;
// Told of a transfer that ended without a reply (the attempt's outcome is given).
using FailureHook = std::function<void(const Attempt&)>;

// A transfer for `request`, or a retryable Attempt when curl cannot make one
// (`on_failure` is told of that too).
Started http_call(Millis timeout, HttpRequest request, ReplyHandler on_reply,
                  FailureHook on_failure = nullptr);

// "https://oapi.dingtalk.com" + "/robot/send": joins without doubling the '/'.
std::string join_url(std::string_view base, std::string_view path);

using util::form_encode;
using util::percent_encode;

}  // namespace notify::channels
