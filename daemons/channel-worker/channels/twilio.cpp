// twilio.cpp - the `twilio` adapter: an SMS through Twilio's Messages API
// (POST /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic auth with
// the account SID and auth token).
//
// Keys: endpoint (default https://api.twilio.com), account_sid, auth_token
// (secret), exactly one of from (a Twilio number or sender id) and
// messaging_service_sid, overflow (default split), timeout, status_callback
// (an http:// or https:// URL sent as each message's StatusCallback: where
// Twilio posts its status callbacks, notify-ingest's /v1/receipts/NAME; see
// twilio_receipt.cpp).
// The text is the job's body; Twilio takes at most 1600 characters per
// message, so a longer body is split into several messages (or truncated, or
// refused, as `overflow` says), sent one after another in one attempt.
// Recipients: E.164 ("+14155550100").
#include <cctype>
#include <nlohmann/json.hpp>

#include "channels/message_limits.hpp"
#include "channels/message_parts.hpp"
#include "channels/outcome.hpp"
#include "channels/send_settings.hpp"
#include "channels/settings.hpp"
#include "channels/sms_size.hpp"
#include "channels/sms_template.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "providers/types.hpp"
#include "util/crypto.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::twilio {

using providers::twilio::keys;

namespace {

const std::string kDefaultEndpoint = "https://api.twilio.com";
constexpr size_t kMaxBody = 1600;  // characters per message

struct TwilioSettings {
    std::string endpoint;
    std::string account_sid;
    std::string authorization;  // "Basic ..." from the SID and the auth token
    std::string from;
    std::string messaging_service_sid;
    std::string status_callback;
    SendSettings send;
};

// Twilio's error codes; others follow the HTTP status (429 and 5xx retryable).
// `provider`: this account cannot send it, the channel's next provider may.
constexpr VendorCode kCodes[] = {
    {"20429", CodeClass::retryable},  // too many requests
    {"20003", CodeClass::provider},   // authentication failed
    {"21211", CodeClass::permanent},  // invalid 'To' number
    {"21408", CodeClass::provider},   // region not enabled
    {"21606", CodeClass::provider},   // 'From' cannot send SMS
    {"21610", CodeClass::permanent},  // recipient unsubscribed (STOP)
    {"21614", CodeClass::permanent},  // not a mobile number
};

// "AC" or "MG" and 32 hexadecimal digits.
bool is_sid(std::string_view text, std::string_view prefix) {
    if (text.size() != 34 || text.substr(0, 2) != prefix) return false;
    for (char c : text.substr(2))
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

Expected<TwilioSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    TwilioSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto sid = s->text("account_sid", true);
    if (!sid) return sid.error();
    if (!is_sid(*sid, "AC"))
        return s->error("account_sid",
                        "'account_sid' must be 'AC' and 32 hexadecimal digits, not '" + *sid + "'");
    out.account_sid = *sid;
    auto token = s->secret("auth_token", true);
    if (!token) return token.error();
    if (token->empty()) return s->error("auth_token", "'auth_token' is empty");
    out.authorization = "Basic " + util::base64(*sid + ":" + *token);
    auto from = s->text("from", false);
    if (!from) return from.error();
    auto service = s->text("messaging_service_sid", false);
    if (!service) return service.error();
    if (from->empty() == service->empty())
        return s->error(from->empty() ? "from" : "messaging_service_sid",
                        from->empty() ? "set one of 'from' and 'messaging_service_sid'"
                                      : "set only one of 'from' and 'messaging_service_sid'");
    if (!service->empty() && !is_sid(*service, "MG"))
        return s->error("messaging_service_sid",
                        "'messaging_service_sid' must be 'MG' and 32 hexadecimal digits, not '" +
                            *service + "'");
    out.from = *from;
    out.messaging_service_sid = *service;
    if (s->has("status_callback")) {
        auto callback = s->url("status_callback", {"http", "https"});
        if (!callback) return callback.error();
        out.status_callback = *callback;
    }
    auto send = read_send_settings(*s, default_timeout);
    if (!send) return send.error();
    out.send = *send;
    return out;
}

Attempt read_failure(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    std::string code;
    std::string message;
    if (!j.is_discarded() && j.is_object()) {
        if (auto it = j.find("code"); it != j.end() && it->is_number_integer())
            code = std::to_string(it->get<long long>());
        if (auto it = j.find("message"); it != j.end() && it->is_string())
            message = it->get<std::string>();
    }
    if (code.empty())
        return classify_http(reply.status, reply.body, reply.retry_after, util::now_ms());
    bool busy = reply.status == 429 || (reply.status >= 500 && reply.status < 600);
    CodeClass kind =
        classify_code(kCodes, code, busy ? CodeClass::retryable : CodeClass::permanent);
    return vendor_failure(kind, code, vendor_message(message),
                          parse_retry_after(reply.retry_after, util::now_ms()));
}

// A 2xx reply is sent (the message's sid); others are read_failure().
Attempt read_reply(const HttpReply& reply) {
    if (reply.status < 200 || reply.status >= 300) return read_failure(reply);
    std::string sid;
    auto j = util::json_or_discarded(reply.body);
    if (!j.is_discarded() && j.is_object())
        if (auto it = j.find("sid"); it != j.end() && it->is_string()) sid = it->get<std::string>();
    return Attempt::sent(sid, std::to_string(reply.status));
}

class TwilioAdapter : public Adapter {
  public:
    explicit TwilioAdapter(TwilioSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        return with_detail(begin(job), describe(sms_size(job.body)));
    }

  private:
    Started begin(const wire::Job& job) {
        if (auto e164 = check_e164(job.to, "+14155550100"); !e164)
            return Attempt::permanent(e164.error().code, e164.error().message);
        auto fitted =
            fit_text(job.body, {kMaxBody, LengthUnit::characters, settings_.send.overflow});
        if (!fitted) return Attempt::permanent(fitted.error().code, fitted.error().message);
        std::vector<std::pair<std::string, std::string>> fields = {{"To", job.to}};
        if (!settings_.messaging_service_sid.empty())
            fields.emplace_back("MessagingServiceSid", settings_.messaging_service_sid);
        else
            fields.emplace_back("From", settings_.from);
        if (!settings_.status_callback.empty())
            fields.emplace_back("StatusCallback", settings_.status_callback);
        std::vector<std::string> bodies;
        for (const auto& part : fitted->parts) {
            fields.emplace_back("Body", part);
            bodies.push_back(form_encode(fields));
            fields.pop_back();
        }
        MessageParts parts =
            posts(join_url(settings_.endpoint,
                           "/2010-04-01/Accounts/" + settings_.account_sid + "/Messages.json"),
                  {"Authorization: " + settings_.authorization,
                   "Content-Type: application/x-www-form-urlencoded", "Accept: application/json"},
                  {std::move(bodies), std::move(fitted->detail)});
        parts.timeout = settings_.send.timeout;
        parts.read = read_reply;
        return send_parts(std::move(parts));
    }

    TwilioSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<TwilioAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::twilio
