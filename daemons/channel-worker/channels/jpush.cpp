// jpush.cpp - the `jpush` adapter: JPush (极光推送) REST API v3, the push
// service most Chinese Android apps use, to one registration id.
//
// Keys: app_key, master_secret (secret), apns_production (default true: iOS
// devices get it through APNs' production environment), platform ("all", the
// default, "android" or "ios"), endpoint (default https://api.jpush.cn),
// timeout.
//
// Each send is POST /v3/push with HTTP Basic auth (app_key:master_secret) and
// {"platform", "audience": {"registration_id": [TO]}, "notification":
// {"android": {"alert", "title", "extras"}, "ios": {"alert": {"title","body"},
// "sound": "default", "extras"}}, "options": {"time_to_live": the seconds left
// before the notification expires (JPush keeps it at most 10 days),
// "apns_production", "apns_collapse_id": the data's collapse_id}}; `extras`
// is the notification's data. A template's payload (a JSON object) is the
// body; its audience is set to the recipient. The text is cut to JPush's
// limits (2000 bytes with iOS, 4000 for Android only).
//
// Replies: 200 sent, msg_id the message id. Error codes (docs.jiguang.cn,
// rest_api_v3_push): 1011 (no device has this registration id) ends `failed`
// and removes it from the user's identities; 2002 and HTTP 429 (rate limit:
// waits X-Rate-Limit-Reset seconds), 1000 and 1030 retry; 1004 (auth), 1008
// (app key) and 2003 (blacklisted) are the provider's fault; others permanent.
#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "channels/outcome.hpp"
#include "channels/push_payload.hpp"
#include "channels/settings.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "providers/types.hpp"
#include "util/crypto.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::jpush {

using providers::jpush::keys;

namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://api.jpush.cn";
constexpr long long kMaxTimeToLive = 10 * 24 * 3600;
constexpr size_t kMaxWithIos = 2000;
constexpr size_t kMaxAndroid = 4000;

const VendorCode kCodes[] = {
    {"1000", CodeClass::retryable},  // internal error
    {"1030", CodeClass::retryable},  // internal timeout
    {"2002", CodeClass::retryable},  // rate limit exceeded
    {"1004", CodeClass::provider},   // authentication failed
    {"1008", CodeClass::provider},   // app_key is not valid
    {"2003", CodeClass::provider},   // the app key is blacklisted
    {"1002", CodeClass::permanent},  // a required parameter is missing
    {"1003", CodeClass::permanent},  // a parameter's value is not valid
    {"1005", CodeClass::permanent},  // the message is too long
};

struct JPushSettings {
    std::string endpoint;
    std::string authorization;  // "Basic base64(app_key:master_secret)"
    bool apns_production = true;
    std::string platform;
    Millis timeout = 0;
};

Expected<JPushSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    JPushSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto app_key = s->text("app_key", true);
    if (!app_key) return app_key.error();
    if (app_key->empty() || app_key->find(':') != std::string::npos)
        return s->error("app_key", "'app_key' must be the app's AppKey");
    auto secret = s->secret("master_secret", true);
    if (!secret) return secret.error();
    out.authorization = "Basic " + util::base64(*app_key + ":" + *secret);
    auto production = s->boolean("apns_production", true);
    if (!production) return production.error();
    out.apns_production = *production;
    auto platform = s->choice("platform", {"all", "android", "ios"});
    if (!platform) return platform.error();
    out.platform = *platform;
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "all", or the one platform in a list, as JPush takes it.
json platform_of(const JPushSettings& settings) {
    return settings.platform == "all" ? json("all") : json::array({settings.platform});
}

json options_of(const JPushSettings& settings, const wire::Job& job, Millis now) {
    json options = {{"apns_production", settings.apns_production}};
    if (long long ttl = seconds_left(job, now); ttl >= 0)
        options["time_to_live"] = std::min(ttl, kMaxTimeToLive);
    if (std::string collapse = collapse_id_of(job); !collapse.empty())
        options["apns_collapse_id"] = collapse;
    return options;
}

Expected<std::string> body_of(const JPushSettings& settings, const wire::Job& job, Millis now) {
    const json audience = {{"registration_id", json::array({job.to})}};
    if (!job.payload.empty()) {
        auto body = util::json_or_discarded(job.payload);
        if (body.is_discarded() || !body.is_object())
            return make_error(ErrorKind::invalid, "invalid_payload",
                              "the template's payload must be a JPush push (a JSON object)");
        body["audience"] = audience;
        if (!body.contains("platform")) body["platform"] = platform_of(settings);
        if (!body.contains("options")) body["options"] = options_of(settings, job, now);
        return dump(body);
    }
    if (util::trim(job.subject).empty() && util::trim(job.body).empty())
        return make_error(ErrorKind::invalid, "empty_message", "the message has no text");
    json extras = util::json_or_discarded(job.data_json);
    if (!extras.is_object()) extras = json::object();
    extras.erase("collapse_id");
    const bool android = settings.platform != "ios";
    const bool ios = settings.platform != "android";
    const std::string alert_text = job.body.empty() ? job.subject : job.body;
    return fit_payload(alert_text, ios ? kMaxWithIos : kMaxAndroid, [&](std::string_view text) {
        json notification = json::object();
        if (android) {
            json a = {{"alert", text}};
            if (!job.subject.empty() && !job.body.empty()) a["title"] = job.subject;
            if (!extras.empty()) a["extras"] = extras;
            notification["android"] = a;
        }
        if (ios) {
            json alert = {{"body", text}};
            if (!job.subject.empty() && !job.body.empty()) alert["title"] = job.subject;
            json i = {{"alert", alert}, {"sound", "default"}};
            if (!extras.empty()) i["extras"] = extras;
            notification["ios"] = i;
        }
        return dump(json{{"platform", platform_of(settings)},
                         {"audience", audience},
                         {"notification", notification},
                         {"options", options_of(settings, job, now)}});
    });
}

Attempt read_reply(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    if (reply.status == 200 && j.is_object() && !j.contains("error")) {
        std::string id;
        if (auto it = j.find("msg_id"); it != j.end())
            id = it->is_string() ? it->get<std::string>() : it->dump();
        return Attempt::sent(id, "200");
    }
    std::string code = std::to_string(reply.status);
    std::string message = "http status " + code;
    if (j.is_object() && j.contains("error") && j["error"].is_object()) {
        const json& e = j["error"];
        if (auto it = e.find("code"); it != e.end() && it->is_number_integer())
            code = std::to_string(it->get<long long>());
        if (auto it = e.find("message"); it != e.end() && it->is_string())
            message += ": " + vendor_message(it->get<std::string>());
    } else if (!reply.body.empty()) {
        message += ": " + vendor_message(reply.body);
    }
    if (code == "1011") return Attempt::gone(code, message);
    // The rate limit's window ends X-Rate-Limit-Reset seconds from now.
    Millis wait = parse_retry_after(reply.retry_after, util::now_ms());
    if (wait <= 0)
        if (auto reset = util::parse_whole(reply.header("X-Rate-Limit-Reset"), 0, 3600))
            wait = *reset * 1000;
    if (reply.status == 429 || reply.status >= 500) return Attempt::retryable(code, message, wait);
    return vendor_failure(classify_code(kCodes, code, CodeClass::permanent), code, message, wait);
}

class JPushAdapter : public Adapter {
  public:
    explicit JPushAdapter(JPushSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        auto body = body_of(settings_, job, util::now_ms());
        if (!body) return Attempt::permanent(body.error().code, body.error().message);
        HttpRequest req;
        req.url = join_url(settings_.endpoint, "/v3/push");
        req.headers = {"Authorization: " + settings_.authorization,
                       "Content-Type: application/json"};
        req.body = std::move(*body);
        return http_call(settings_.timeout, std::move(req), read_reply);
    }

  private:
    JPushSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<JPushAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::jpush
