// tencent_sms.cpp - the `tencent-sms` adapter: Tencent Cloud SMS (SendSms,
// API version 2021-01-11), signed with TC3-HMAC-SHA256 (tc3_signature.hpp).
//
// Keys: endpoint (default https://sms.tencentcloudapi.com), secret_id,
// secret_key (secret), sdk_app_id (digits), sign_name, region (default
// ap-guangzhou), templates (vendor_templates.hpp; positional params only, in
// TemplateParamSet order), timeout, receipt_secret (secret; the ?token= of its
// status reports, tencent_sms_receipt.cpp).
// Tencent sends only the template registered there: the job's template name
// selects its TemplateId and the job's data fills TemplateParamSet. The SMS
// size recorded with the attempt is that of the text the phone receives: the
// body notify rendered from the same template, after "【sign_name】" when a
// sign_name is set (Tencent puts it in front).
// Recipients: E.164 ("+8613800138000"), sent as they are.
// What this account cannot send (its credentials, balance, signature or
// templates, a job template it has no mapping for) is permanent for this
// provider: the channel's next provider takes the delivery.
#include <curl/curl.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "channels/outcome.hpp"
#include "channels/settings.hpp"
#include "channels/sms_size.hpp"
#include "channels/sms_template.hpp"
#include "channels/tc3_signature.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::tencent_sms {

using providers::tencent_sms::keys;

namespace {

const std::string kDefaultEndpoint = "https://sms.tencentcloudapi.com";
const std::string kContentType = "application/json; charset=utf-8";
const std::string kService = "sms";
constexpr Millis kHour = 3600 * 1000;

struct TencentSettings {
    std::string endpoint;
    std::string host;  // the Host header: the endpoint's host, and its port when it names one
    std::string secret_id;
    std::string secret_key;
    std::string sdk_app_id;
    std::string sign_name;
    std::string region;
    SmsTemplates templates;
    Millis timeout = 0;
};

// The outcome of a Tencent error code, request-level (Response.Error.Code) or
// per number (SendStatusSet[].Code).
struct Verdict {
    CodeClass kind = CodeClass::permanent;
    Millis retry_after = 0;
};

// Codes that say this account cannot send, where another provider could.
constexpr std::string_view kAccountCodes[] = {
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.TemplateUnapprovedOrNotExist",
    "InvalidParameterValue.SdkAppIdNotExist",
};

Verdict classify(const std::string& code) {
    if (code == "AuthFailure.SignatureExpire") return {CodeClass::retryable, 0};  // our clock
    if (util::starts_with(code, "AuthFailure.") ||
        util::starts_with(code, "UnauthorizedOperation."))
        return {CodeClass::provider, 0};
    for (std::string_view account : kAccountCodes)
        if (code == account) return {CodeClass::provider, 0};
    if (util::starts_with(code, "LimitExceeded.")) {
        // The per-number and per-application daily and hourly caps last a while.
        if (code.find("DailyLimit") != std::string::npos ||
            code.find("HourLimit") != std::string::npos)
            return {CodeClass::retryable, kHour};
        if (code.find("ThirtySecondLimit") != std::string::npos)
            return {CodeClass::retryable, 30 * 1000};
        return {CodeClass::retryable, 0};
    }
    if (util::starts_with(code, "InternalError") || util::starts_with(code, "RequestLimitExceeded"))
        return {CodeClass::retryable, 0};
    return {CodeClass::permanent, 0};
}

// "host" or "host:port" from a URL, as curl sends it in Host.
Expected<std::string> host_of(const Settings& s, const std::string& url) {
    CURLU* u = curl_url();
    if (!u) return s.error("endpoint", "out of memory");
    std::string host;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
        char* part = nullptr;
        if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
            host = util::to_lower(part);
            curl_free(part);
        }
        part = nullptr;
        if (!host.empty() && curl_url_get(u, CURLUPART_PORT, &part, 0) == CURLUE_OK) {
            host += std::string(":") + part;
            curl_free(part);
        }
    }
    curl_url_cleanup(u);
    if (host.empty()) return s.error("endpoint", "'endpoint' names no host: '" + url + "'");
    return host;
}

Expected<TencentSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    TencentSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto host = host_of(*s, out.endpoint);
    if (!host) return host.error();
    out.host = *host;
    auto id = s->text("secret_id", true);
    if (!id) return id.error();
    out.secret_id = *id;
    auto key = s->secret("secret_key", true);
    if (!key) return key.error();
    if (key->empty()) return s->error("secret_key", "'secret_key' is empty");
    out.secret_key = *key;
    auto app = s->text("sdk_app_id", true);
    if (!app) {
        auto number = s->integer("sdk_app_id", true);
        if (!number) return app.error();
        app = std::to_string(*number);
    }
    if (!util::all_digits(*app))
        return s->error("sdk_app_id",
                        "'sdk_app_id' must be the SMS application's digits, such "
                        "as \"1400006666\", not '" +
                            *app + "'");
    out.sdk_app_id = *app;
    auto sign = s->text("sign_name", false);
    if (!sign) return sign.error();
    out.sign_name = *sign;
    auto region = s->text("region", false, "ap-guangzhou");
    if (!region) return region.error();
    if (region->empty()) return s->error("region", "'region' is empty");
    out.region = *region;
    auto templates = SmsTemplates::read(*s, provider, "Tencent Cloud", "id");
    if (!templates) return templates.error();
    for (const auto& [name, t] : templates->all())
        if (!t.positional && !t.params.empty())
            return s->error("templates", "'templates." + name +
                                             ".params' must be a list of data variables for "
                                             "tencent-sms (TemplateParamSet is positional)");
    out.templates = std::move(*templates);
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

std::string text_at(const nlohmann::json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Attempt failure(const std::string& code, const std::string& message, const HttpReply& reply) {
    Verdict v = classify(code);
    Millis wait = parse_retry_after(reply.retry_after, util::now_ms());
    return vendor_failure(v.kind, code, vendor_message(message), std::max(wait, v.retry_after));
}

Attempt read_reply(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    const nlohmann::json* response = nullptr;
    if (!j.is_discarded() && j.is_object())
        if (auto it = j.find("Response"); it != j.end() && it->is_object()) response = &*it;
    if (!response) {
        if (reply.status >= 200 && reply.status < 300)
            return Attempt::permanent("bad_reply",
                                      "unexpected reply: " + reason_from_body(reply.body));
        return classify_http(reply.status, reply.body, reply.retry_after, util::now_ms());
    }
    if (auto e = response->find("Error"); e != response->end() && e->is_object())
        return failure(text_at(*e, "Code"), text_at(*e, "Message"), reply);
    auto set = response->find("SendStatusSet");
    if (set == response->end() || !set->is_array() || set->empty() || !(*set)[0].is_object())
        return Attempt::permanent("bad_reply", "the reply has no SendStatusSet");
    const nlohmann::json& status = (*set)[0];
    std::string code = text_at(status, "Code");
    if (code == "Ok") return Attempt::sent(text_at(status, "SerialNo"), code);
    return failure(code, text_at(status, "Message"), reply);
}

class TencentAdapter : public Adapter {
  public:
    explicit TencentAdapter(TencentSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        return with_detail(send(job), describe(sms_size(signed_text(job.body))));
    }

  private:
    // The SMS as it reaches the phone: Tencent puts the signature in front.
    std::string signed_text(const std::string& body) const {
        if (settings_.sign_name.empty()) return body;
        return "【" + settings_.sign_name + "】" + body;
    }

    Started send(const wire::Job& job) {
        if (auto e164 = check_e164(job.to, "+8613800138000"); !e164)
            return Attempt::permanent(e164.error().code, e164.error().message);
        auto filled = settings_.templates.fill(job);
        if (!filled) {
            // No mapping here is this provider's (another may have one).
            if (filled.error().code == "no_vendor_template")
                return Attempt::provider_refused(filled.error().code, filled.error().message);
            return Attempt::permanent(filled.error().code, filled.error().message);
        }

        nlohmann::json body = {
            {"PhoneNumberSet", nlohmann::json::array({job.to})},
            {"SmsSdkAppId", settings_.sdk_app_id},
            {"TemplateId", filled->code},
            {"TemplateParamSet", nlohmann::json::array()},
            {"SessionContext", job.delivery_id},
        };
        if (!settings_.sign_name.empty()) body["SignName"] = settings_.sign_name;
        for (const auto& [position, value] : filled->params)
            body["TemplateParamSet"].push_back(value);

        const std::int64_t timestamp = util::now_ms() / 1000;
        Tc3Request signed_part;
        signed_part.payload = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        signed_part.headers = {
            {"Content-Type", kContentType}, {"Host", settings_.host}, {"X-TC-Action", "SendSms"}};

        HttpRequest request;
        request.method = "POST";
        request.url = join_url(settings_.endpoint, "/");
        request.headers = {
            "Authorization: " + tc3_authorization(settings_.secret_id, settings_.secret_key,
                                                  timestamp, kService, signed_part),
            "Content-Type: " + kContentType,
            "Host: " + settings_.host,
            "X-TC-Action: SendSms",
            "X-TC-Timestamp: " + std::to_string(timestamp),
            "X-TC-Version: 2021-01-11",
            "X-TC-Region: " + settings_.region,
        };
        request.body = std::move(signed_part.payload);
        return http_call(settings_.timeout, std::move(request),
                         [](const HttpReply& reply) -> Started { return read_reply(reply); });
    }

    TencentSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<TencentAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::tencent_sms
