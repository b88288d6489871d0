// apns.cpp - the `apns` adapter: Apple Push Notification service, through its
// HTTP/2 provider API with token-based authentication.
//
// Keys: team_id and key_id (the 10-character ids Apple shows with the key),
// key (secret: the .p8 signing key, normally "file:/etc/notify/AuthKey_ID.p8"),
// topic (the app's bundle id), environment ("production", the default, or
// "sandbox": api.sandbox.push.apple.com), endpoint (overrides the host the
// environment picks), push_type (default "alert"; the types Apple wants a
// topic of their own for get the bundle id with Apple's suffix: voip
// ".voip", complication ".complication", fileprovider ".pushkit.fileprovider",
// location ".location-query", liveactivity ".push-type.liveactivity",
// pushtotalk ".voip-ptt", unless `topic` ends with it), ca_file (a CA bundle
// to trust instead of the system's), timeout.
//
// Recipients are device tokens (hex). Each send is POST /3/device/TOKEN on one
// HTTP/2 connection that carries many at once, with `authorization: bearer
// JWT` (ES256 over {"alg","kid"} and {"iss","iat"}, made once and renewed
// after 40 minutes: Apple refuses tokens older than an hour and more than one
// new token per 20 minutes), `apns-topic`, `apns-push-type`, `apns-priority`
// (10 for high priority, 5 otherwise and always for background pushes),
// `apns-expiration` (the notification's expiry, when it has one) and
// `apns-collapse-id` (the data's `collapse_id`, at most 64 bytes).
//
// The body is the template's payload when it rendered one (a JSON object with
// "aps"), else {"aps":{"alert":{"title","body"},"sound":"default",
// "thread-id":CATEGORY}}; a body over Apple's 4096 bytes is cut to fit.
//
// Replies: 200 sent, its apns-id the message id; 410 Unregistered ends the
// delivery `failed` and removes the token from the user's identities unless
// the user registered it again after the reply's `timestamp` (when Apple last
// found it invalid), and so
// does 400 BadDeviceToken once a send of the provider succeeded in the last day
// (before, it may be the wrong `environment`: permanent, the token kept); 403
// ExpiredProviderToken drops the JWT and retries; other 403s (the key, team or
// topic) are the provider's fault; 429 and 5xx retry (Retry-After honoured; a
// device's own TooManyRequests waits a minute); other 4xx are permanent.
#include <memory>

#include <nlohmann/json.hpp>

#include "channels/outcome.hpp"
#include "channels/push_payload.hpp"
#include "channels/settings.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "crypto/jwt.hpp"
#include "crypto/p256_key.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::apns {

using providers::apns::keys;

namespace {

using nlohmann::json;

constexpr const char* kProduction = "https://api.push.apple.com";
constexpr const char* kSandbox = "https://api.sandbox.push.apple.com";
constexpr size_t kMaxPayload = 4096;
constexpr size_t kMaxCollapseId = 64;
constexpr Millis kTokenRenewal = 40 * 60 * 1000;
constexpr Millis kEnvironmentProven = 24 * 3600 * 1000;
constexpr Millis kShortWait = 1000;
constexpr Millis kDeviceWait = 60 * 1000;

struct ApnsSettings {
    std::string endpoint;
    std::string team_id;
    std::string key_id;
    std::shared_ptr<const crypto::P256Key> key;
    std::string topic;
    std::string push_type;
    std::string ca_file;
    Millis timeout = 0;
};

// A 410's `timestamp`: when APNs last found the token invalid (ms); 0 without.
Millis gone_since(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    auto it = j.is_object() ? j.find("timestamp") : j.end();
    return it != j.end() && it->is_number_integer() ? std::max<Millis>(0, it->get<Millis>()) : 0;
}

// The apns-topic of `push_type` for the app `topic`: the bundle id with the
// suffix Apple wants for the type, once.
std::string topic_for(const std::string& topic, const std::string& push_type) {
    static const std::pair<const char*, const char*> kSuffixes[] = {
        {"voip", ".voip"},
        {"complication", ".complication"},
        {"fileprovider", ".pushkit.fileprovider"},
        {"location", ".location-query"},
        {"liveactivity", ".push-type.liveactivity"},
        {"pushtotalk", ".voip-ptt"}};
    for (const auto& [type, suffix] : kSuffixes)
        if (push_type == type && !topic.ends_with(suffix)) return topic + suffix;
    return topic;
}

// Apple's key and team ids: ten letters and digits.
bool is_apple_id(std::string_view id) {
    return id.size() == 10 && util::all_alnum(id);
}

Expected<std::string> apple_id(const Settings& s, const std::string& key) {
    auto v = s.text(key, true);
    if (!v) return v.error();
    if (!is_apple_id(*v))
        return s.error(key, "'" + key + "' must be Apple's 10-character id, not '" + *v + "'");
    return v;
}

Expected<ApnsSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    ApnsSettings out;
    auto environment = s->choice("environment", {"production", "sandbox"});
    if (!environment) return environment.error();
    auto endpoint = s->endpoint(*environment == "sandbox" ? kSandbox : kProduction);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto team = apple_id(*s, "team_id");
    if (!team) return team.error();
    out.team_id = *team;
    auto key_id = apple_id(*s, "key_id");
    if (!key_id) return key_id.error();
    out.key_id = *key_id;
    auto pem = s->secret("key", true);
    if (!pem) return pem.error();
    auto key = crypto::P256Key::from_pem(*pem);
    if (!key)
        return s->error("key",
                        "'key' is not a P-256 private key in PEM (the .p8 file Apple "
                        "gives): " +
                            key.error().message);
    out.key = std::make_shared<const crypto::P256Key>(std::move(*key));
    auto topic = s->text("topic", true);
    if (!topic) return topic.error();
    if (topic->empty() || topic->size() > 255)
        return s->error("topic", "'topic' must be the app's bundle id, such as 'com.example.app'");
    out.topic = *topic;
    auto type =
        s->choice("push_type", {"alert", "background", "voip", "complication", "fileprovider",
                                "mdm", "location", "liveactivity", "pushtotalk"});
    if (!type) return type.error();
    out.push_type = *type;
    out.topic = topic_for(out.topic, out.push_type);
    auto ca = s->text("ca_file", false);
    if (!ca) return ca.error();
    out.ca_file = *ca;
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

std::string reason_of(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    if (j.is_object()) {
        auto it = j.find("reason");
        if (it != j.end() && it->is_string()) return it->get<std::string>();
    }
    return std::to_string(reply.status);
}

// The body: the template's payload, or an alert of the subject and body, cut to
// Apple's limit.
Expected<std::string> payload_of(const wire::Job& job) {
    if (!job.payload.empty()) {
        auto p = util::json_or_discarded(job.payload);
        if (p.is_discarded() || !p.is_object() || !p.contains("aps") || !p["aps"].is_object())
            return make_error(ErrorKind::invalid, "invalid_payload",
                              "the template's payload must be a JSON object with an 'aps' object");
        if (job.payload.size() > kMaxPayload)
            return make_error(ErrorKind::invalid, "payload_too_large",
                              "the template's payload is over APNs' 4096 bytes");
        return job.payload;
    }
    if (util::trim(job.subject).empty() && util::trim(job.body).empty())
        return make_error(ErrorKind::invalid, "empty_message", "the message has no text");
    return fit_payload(job.body, kMaxPayload, [&](std::string_view body) {
        json alert = json::object();
        if (!job.subject.empty()) alert["title"] = job.subject;
        alert["body"] = body;
        json aps = {{"alert", alert}, {"sound", "default"}};
        if (!job.category.empty()) aps["thread-id"] = job.category;
        return json{{"aps", aps}}.dump(-1, ' ', false, json::error_handler_t::replace);
    });
}

class ApnsAdapter : public Adapter {
  public:
    explicit ApnsAdapter(ApnsSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        auto payload = payload_of(job);
        if (!payload) return Attempt::permanent(payload.error().code, payload.error().message);
        std::string collapse = collapse_id_of(job);
        if (collapse.size() > kMaxCollapseId)
            return Attempt::permanent("BadCollapseId",
                                      "the data's collapse_id is over APNs' 64 bytes");
        auto bearer = token(util::now_ms());
        if (!bearer) return Attempt::provider_refused("invalid_key", bearer.error().message);
        HttpRequest req;
        req.url = join_url(settings_.endpoint, "/3/device/" + job.to);
        req.http2 = true;
        req.ca_file = settings_.ca_file;
        req.body = std::move(*payload);
        req.headers = {"authorization: bearer " + *bearer, "apns-topic: " + settings_.topic,
                       "apns-push-type: " + settings_.push_type,
                       "apns-priority: " + std::string(priority_of(job)),
                       "content-type: application/json"};
        if (job.expires_at > 0)  // APNs stores it until then; without one, for its own while
            req.headers.push_back("apns-expiration: " + std::to_string(job.expires_at / 1000));
        if (!collapse.empty()) req.headers.push_back("apns-collapse-id: " + collapse);
        std::string sent_with = *bearer;
        return http_call(settings_.timeout, std::move(req),
                         [this, sent_with](const HttpReply& reply) -> Started {
                             return read_reply(reply, sent_with);
                         });
    }

  private:
    const char* priority_of(const wire::Job& job) const {
        if (settings_.push_type == "background") return "5";
        return job.priority == Priority::high ? "10" : "5";
    }

    // The provider token, made anew after kTokenRenewal.
    Expected<std::string> token(Millis now) {
        if (!jwt_.empty() && now - made_at_ < kTokenRenewal) return jwt_;
        std::string header = json{{"alg", "ES256"}, {"kid", settings_.key_id}}.dump();
        std::string claims = json{{"iss", settings_.team_id}, {"iat", now / 1000}}.dump();
        auto jwt = crypto::jwt_es256(header, claims, *settings_.key);
        if (!jwt) return jwt.error();
        jwt_ = *jwt;
        made_at_ = now;
        return jwt_;
    }

    Started read_reply(const HttpReply& reply, const std::string& sent_with) {
        const std::string reason = reason_of(reply);
        const std::string message = "http status " + std::to_string(reply.status) + ": " + reason;
        const Millis now = util::now_ms();
        if (reply.status == 200) {
            last_sent_ = now;
            return Attempt::sent(reply.header("apns-id"), "200");
        }
        if (reply.status == 410) return Attempt::gone(reason, message, gone_since(reply));
        // BadDeviceToken is also what a token of the other environment gets: it is
        // taken as gone only once this provider has sent lately, so that a wrong
        // `environment` fails sends instead of removing every user's token.
        if (reply.status == 400 && reason == "BadDeviceToken") {
            if (last_sent_ && now - last_sent_ < kEnvironmentProven)
                return Attempt::gone(reason, message);
            return Attempt::permanent(reason, message +
                                                  " (the token is kept: no send of this provider "
                                                  "succeeded lately; check 'environment')");
        }
        if (reply.status == 403 && reason == "ExpiredProviderToken") {
            if (jwt_ == sent_with) jwt_.clear();  // the next send makes a new one
            // A wait of its own, so that it does not count against the provider's health.
            return Attempt::retryable(reason, message, kShortWait);
        }
        if (reply.status == 403) return Attempt::provider_refused(reason, message);
        if (reply.status == 429 && reason == "TooManyRequests") {
            // Too many to this one device: its own wait, not the provider's health.
            Millis wait = parse_retry_after(reply.retry_after, now);
            return Attempt::retryable(reason, message, wait > 0 ? wait : kDeviceWait);
        }
        if (reply.status == 429 || reply.status >= 500)
            return Attempt::retryable(reason, message, parse_retry_after(reply.retry_after, now));
        return Attempt::permanent(reason, message);
    }

    ApnsSettings settings_;
    std::string jwt_;
    Millis made_at_ = 0;
    Millis last_sent_ = 0;  // the last 200, which proves the environment right
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<ApnsAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::apns
