// webhook.cpp - the `webhook` adapter: POSTs each delivery as JSON to a URL:
// the job's payload when its template rendered one, else the body that
// webhook_payload.hpp builds from the job's fields.
//
// Keys: url (required, http:// or https://), secret (optional HMAC key, may be
// env:/file:), headers (table of extra request headers), timeout,
// receipt_secret (secret; signs the receiver's receipts, signed_receipt.cpp).
// Headers sent: Content-Type, User-Agent, X-Notify-Delivery, X-Notify-Timestamp
// and, with a secret, X-Notify-Signature (see webhook_payload.hpp). Redirects
// are not followed. Outcomes as in outcome.hpp.
#include <map>

#include "channels/outcome.hpp"
#include "channels/settings.hpp"
#include "channels/transfer.hpp"
#include "channels/webhook_payload.hpp"
#include "providers/types.hpp"
#include "util/strings.hpp"

namespace notify::channels::webhook {

using providers::webhook::keys;

namespace {

struct WebhookSettings {
    std::string url;
    std::string secret;
    std::map<std::string, std::string> headers;
    Millis timeout = 0;
};

bool is_token(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
            return false;
    }
    return true;
}

Expected<WebhookSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    WebhookSettings out;
    auto url = s->url("url", {"http", "https"});
    if (!url) return url.error();
    out.url = *url;
    auto secret = s->secret("secret", false);
    if (!secret) return secret.error();
    out.secret = *secret;
    auto headers = s->string_table("headers");
    if (!headers) return headers.error();
    for (const auto& [name, value] : *headers) {
        if (!is_token(name))
            return s->error("headers", "'headers': '" + name + "' is not a header name");
        if (value.find_first_of("\r\n") != std::string::npos)
            return s->error("headers", "'headers." + name + "' must be one line");
        std::string lower = util::to_lower(name);
        if (util::starts_with(lower, "x-notify-") || lower == "content-length" || lower == "host")
            return s->error("headers", "'headers." + name + "' is set by the adapter itself");
    }
    out.headers = *headers;
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

class WebhookTransfer : public CurlTransfer {
  public:
    WebhookTransfer(const WebhookSettings& settings, const wire::Job& job)
        : CurlTransfer(settings.timeout), payload_(webhook_body(job)) {
        if (!valid()) return;
        CURL* h = handle();
        curl_easy_setopt(h, CURLOPT_URL, settings.url.c_str());
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload_.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload_.size()));
        std::string timestamp = std::to_string(util::now_ms() / 1000);
        add_header("Content-Type: application/json");
        add_header("User-Agent: notify/" NOTIFY_VERSION);
        add_header("Expect:");  // no 100-continue round trip
        for (const auto& [name, value] : settings.headers) add_header(name + ": " + value);
        add_header("X-Notify-Delivery: " + job.delivery_id);
        add_header("X-Notify-Timestamp: " + timestamp);
        if (!settings.secret.empty())
            add_header("X-Notify-Signature: " +
                       webhook_signature(settings.secret, timestamp, payload_));
        use_headers();
    }

    Started finish(CURLcode result) override {
        if (result != CURLE_OK) return curl_failure(result);
        return classify_http(response_code(), body(), header_value("Retry-After"), util::now_ms());
    }

  private:
    std::string payload_;  // CURLOPT_POSTFIELDS points here
};

class WebhookAdapter : public Adapter {
  public:
    explicit WebhookAdapter(WebhookSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        auto transfer = std::make_unique<WebhookTransfer>(settings_, job);
        if (!transfer->valid()) return Attempt::retryable("curl:init", "cannot create a transfer");
        return transfer;
    }

  private:
    WebhookSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    auto settings = read_settings(provider, options.default_timeout);
    if (!settings) return settings.error();
    return std::unique_ptr<Adapter>(std::make_unique<WebhookAdapter>(std::move(*settings)));
}

Status validate(const ProviderConfig& provider) {
    auto settings = read_settings(provider, AdapterOptions{}.default_timeout);
    if (!settings) return settings.error();
    return ok();
}

}  // namespace notify::channels::webhook
