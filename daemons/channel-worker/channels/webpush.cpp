// webpush.cpp - the `webpush` adapter: Web Push to browsers' push
// subscriptions (RFC 8030), the payload encrypted for the subscription
// (RFC 8291, aes128gcm) and the sender identified with VAPID (RFC 8292).
//
// Keys: vapid_private_key (secret: the application server's P-256 private key,
// base64url of its 32 bytes as `notifyctl vapid generate` prints it, or PEM),
// vapid_public_key (optional: checked against the private key, so that the
// key the web page subscribes with is the one that signs), subject (a
// "mailto:" or "https:" contact the push service may use), allow_http (post to
// http:// endpoints too, for a push service inside the network; default
// false), timeout.
//
// A recipient is a subscription as the browser's PushSubscription.toJSON()
// gives it: {"endpoint": URL, "keys": {"p256dh": ..., "auth": ...}}, normally
// a directory user's identity on the channel.
//
// Each send is POST ENDPOINT with `TTL` (the seconds left before the
// notification expires, else four weeks), `Urgency` (high, normal or low by
// priority), `Topic` (the data's collapse_id when it is a valid topic),
// `Content-Encoding: aes128gcm` and `Authorization: vapid t=JWT, k=KEY` (a
// JWT for the endpoint's origin valid for 12 hours, made anew after 6).
// The encrypted text is the template's payload when it rendered one, else
// {"title", "body", "data", "tag": category, "delivery_id"} as JSON for the
// page's service worker, cut to the 3993 bytes a record holds.
//
// Replies: 201 (and other 2xx) sent, the Location the message id; 404 and 410
// (the subscription is gone) end `failed` and remove it from the user's
// identities; 429 and 5xx retry (Retry-After honoured); 401 and 403 (VAPID
// refused) are the provider's fault; others are permanent.
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "channels/outcome.hpp"
#include "channels/push_payload.hpp"
#include "channels/settings.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "crypto/p256_key.hpp"
#include "crypto/vapid.hpp"
#include "crypto/web_push.hpp"
#include "providers/push_subscription.hpp"
#include "providers/types.hpp"
#include "util/crypto.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::webpush {

using providers::read_subscription;
using providers::webpush::keys;

namespace {

using nlohmann::json;

constexpr long long kDefaultTtl = 28 * 24 * 3600;  // what browsers' push services keep at most
constexpr size_t kMaxPlaintext = crypto::kWebPushMaxPlaintext;
// RFC 8292 allows 24 hours; half of it leaves room for clocks that differ.
constexpr Millis kVapidLifetime = 12 * 3600 * 1000;
constexpr Millis kVapidReuse = 6 * 3600 * 1000;

struct WebPushSettings {
    std::shared_ptr<const crypto::P256Key> key;
    std::string subject;
    bool allow_http = false;
    Millis timeout = 0;
};

// PEM, or base64url of the 32-byte private scalar.
Expected<crypto::P256Key> private_key_of(const std::string& text) {
    if (util::starts_with(text, "-----BEGIN")) return crypto::P256Key::from_pem(text);
    auto scalar = util::base64url_decode(util::trim(text));
    if (!scalar) return scalar.error();
    return crypto::P256Key::from_private_scalar(*scalar);
}

Expected<WebPushSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    WebPushSettings out;
    auto text = s->secret("vapid_private_key", true);
    if (!text) return text.error();
    auto key = private_key_of(*text);
    if (!key)
        return s->error("vapid_private_key",
                        "'vapid_private_key' is not a P-256 private key (base64url of 32 bytes, "
                        "as 'notifyctl vapid generate' prints it, or PEM): " +
                            key.error().message);
    out.key = std::make_shared<const crypto::P256Key>(std::move(*key));
    auto public_key = s->text("vapid_public_key", false);
    if (!public_key) return public_key.error();
    if (!public_key->empty() && *public_key != util::base64url(out.key->public_point()))
        return s->error("vapid_public_key",
                        "'vapid_public_key' is not the public half of 'vapid_private_key'");
    auto subject = s->text("subject", true);
    if (!subject) return subject.error();
    if (!util::starts_with(*subject, "mailto:") && !util::starts_with(*subject, "https://"))
        return s->error(
            "subject",
            "'subject' must be a \"mailto:\" or \"https://\" contact, not '" + *subject + "'");
    out.subject = *subject;
    auto allow_http = s->boolean("allow_http", false);
    if (!allow_http) return allow_http.error();
    out.allow_http = *allow_http;
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

// A Topic header value: at most 32 characters of the URL-safe base64 alphabet.
bool is_topic(std::string_view t) {
    return t.size() <= 32 && util::all_alnum(t, "-_");
}

const char* urgency_of(Priority p) {
    switch (p) {
        case Priority::high:
            return "high";
        case Priority::medium:
            return "normal";
        case Priority::low:
            break;
    }
    return "low";
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Expected<std::string> plaintext_of(const wire::Job& job) {
    if (!job.payload.empty()) {
        if (job.payload.size() > kMaxPlaintext)
            return make_error(ErrorKind::invalid, "payload_too_large",
                              "the template's payload is over the 3993 bytes a push holds");
        return job.payload;
    }
    if (util::trim(job.subject).empty() && util::trim(job.body).empty())
        return make_error(ErrorKind::invalid, "empty_message", "the message has no text");
    json data = util::json_or_discarded(job.data_json);
    return fit_payload(job.body, kMaxPlaintext, [&](std::string_view body) {
        json message = {{"title", job.subject}, {"body", body}, {"delivery_id", job.delivery_id}};
        if (!job.category.empty()) message["tag"] = job.category;
        if (data.is_object() && !data.empty()) message["data"] = data;
        return dump(message);
    });
}

Attempt read_reply(const HttpReply& reply) {
    const std::string status = std::to_string(reply.status);
    if (reply.status >= 200 && reply.status < 300)
        return Attempt::sent(reply.header("Location"), status);
    std::string message = "http status " + status;
    if (!util::trim(reply.body).empty()) message += ": " + vendor_message(reply.body);
    if (reply.status == 404 || reply.status == 410) return Attempt::gone(status, message);
    if (reply.status == 401 || reply.status == 403)
        return Attempt::provider_refused(status, message);
    if (reply.status == 429 || reply.status >= 500)
        return Attempt::retryable(status, message,
                                  parse_retry_after(reply.retry_after, util::now_ms()));
    return Attempt::permanent(status, message);
}

class WebPushAdapter : public Adapter {
  public:
    explicit WebPushAdapter(WebPushSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        auto sub = read_subscription(job.to);
        if (!sub) return Attempt::gone(sub.error().code, sub.error().message);
        // Subscriptions come from end users' browsers: an http:// endpoint (a
        // host inside the network, say) is not posted to unless allowed.
        if (!settings_.allow_http && !util::starts_with(sub->endpoint, "https://"))
            return Attempt::permanent("insecure_endpoint",
                                      "the subscription's endpoint is not https:// (the "
                                      "provider's allow_http is false)");
        auto plaintext = plaintext_of(job);
        if (!plaintext)
            return Attempt::permanent(plaintext.error().code, plaintext.error().message);
        auto body = crypto::encrypt_web_push(*plaintext, sub->p256dh, sub->auth);
        if (!body) return Attempt::permanent(body.error().code, body.error().message);
        const Millis now = util::now_ms();
        auto vapid = authorization(sub->endpoint, now);
        if (!vapid) return Attempt::provider_refused("vapid", vapid.error().message);
        long long ttl = seconds_left(job, now);
        HttpRequest req;
        req.url = sub->endpoint;
        req.body = std::move(*body);
        req.headers = {"TTL: " + std::to_string(ttl < 0 ? kDefaultTtl : ttl),
                       "Urgency: " + std::string(urgency_of(job.priority)),
                       "Content-Encoding: aes128gcm", "Content-Type: application/octet-stream",
                       "Authorization: " + *vapid};
        if (std::string topic = collapse_id_of(job); is_topic(topic))
            req.headers.push_back("Topic: " + topic);
        return http_call(settings_.timeout, std::move(req), read_reply);
    }

  private:
    // The Authorization header for the endpoint's push service, made anew after kVapidReuse.
    Expected<std::string> authorization(const std::string& endpoint, Millis now) {
        auto origin_or = crypto::web_push_origin(endpoint);
        if (!origin_or) return origin_or.error();
        const std::string& origin = *origin_or;
        auto it = vapid_.find(origin);
        if (it != vapid_.end() && now - it->second.made_at < kVapidReuse) return it->second.header;
        auto header = crypto::vapid_authorization(*settings_.key, endpoint, settings_.subject,
                                                  (now + kVapidLifetime) / 1000);
        if (!header) return header.error();
        if (vapid_.size() > 1000) vapid_.clear();  // push services are few; bound it anyway
        vapid_[origin] = {*header, now};
        return *header;
    }

    struct Vapid {
        std::string header;
        Millis made_at = 0;
    };

    WebPushSettings settings_;
    std::map<std::string, Vapid> vapid_;  // by push service origin
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<WebPushAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::webpush
