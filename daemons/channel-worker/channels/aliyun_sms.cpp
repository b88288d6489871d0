// aliyun_sms.cpp - the `aliyun-sms` adapter: Alibaba Cloud SMS (Dysmsapi
// SendSms, API version 2017-05-25), signed with the RPC signature version 1
// (aliyun_signature.hpp).
//
// Keys: endpoint (default https://dysmsapi.aliyuncs.com), access_key_id,
// access_key_secret (secret), sign_name, region (default cn-hangzhou),
// international (default false), templates (vendor_templates.hpp; named
// params only), timeout, receipt_secret (secret; the ?token= of its receipts,
// aliyun_sms_receipt.cpp).
// Aliyun sends only the template registered there: the job's template name
// selects its TemplateCode and the job's data fills TemplateParam. The SMS
// size recorded with the attempt is that of the text the phone receives: the
// body notify rendered from the same template, after "【sign_name】", which
// Aliyun puts in front.
// Recipients: E.164. Mainland numbers (+86) are sent without the prefix; other
// numbers only with international = true (as digits with the country code).
// What this account cannot send (its key, balance, signature or templates, a
// foreign number, a job template it has no mapping for) is permanent for this
// provider: the channel's next provider takes the delivery.
#include <variant>

#include <nlohmann/json.hpp>

#include "channels/aliyun_signature.hpp"
#include "channels/outcome.hpp"
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

namespace notify::channels::aliyun_sms {

using providers::aliyun_sms::keys;

namespace {

const std::string kDefaultEndpoint = "https://dysmsapi.aliyuncs.com";

struct AliyunSettings {
    std::string endpoint;
    std::string access_key_id;
    std::string access_key_secret;
    std::string sign_name;
    std::string region;
    bool international = false;
    SmsTemplates templates;
    Millis timeout = 0;
};

// Codes from the SendSms error list; an unlisted code is permanent, except
// the families classify() knows.
constexpr VendorCode kCodes[] = {
    {"isv.BUSINESS_LIMIT_CONTROL", CodeClass::retryable},
    {"ServiceUnavailable", CodeClass::retryable},
    {"InternalError", CodeClass::retryable},
    {"isv.MOBILE_NUMBER_ILLEGAL", CodeClass::permanent},
    {"isv.TEMPLATE_MISSING_PARAMETERS", CodeClass::permanent},
    {"isv.SMS_SIGNATURE_ILLEGAL", CodeClass::provider},  // the sign_name is not approved
    {"isv.SMS_TEMPLATE_ILLEGAL", CodeClass::provider},   // the template code is not approved
    {"isv.AMOUNT_NOT_ENOUGH", CodeClass::provider},      // the account's balance
    {"isv.OUT_OF_SERVICE", CodeClass::provider},         // the account is suspended
    {"isv.PRODUCT_UN_SUBSCRIPT", CodeClass::provider},   // SMS not enabled for the account
    {"isv.PRODUCT_UNSUBSCRIBE", CodeClass::provider},    // SMS not enabled for the account
    {"isv.DENY_IP_RANGE", CodeClass::provider},          // the caller's region is refused
    {"SignatureDoesNotMatch", CodeClass::provider},      // access_key_secret is wrong
};

CodeClass classify(const std::string& code) {
    if (util::starts_with(code, "Throttling")) return CodeClass::retryable;
    if (util::starts_with(code, "InvalidAccessKeyId") || util::starts_with(code, "isv.ACCOUNT_"))
        return CodeClass::provider;  // the access key or the account itself
    return classify_code(kCodes, code, CodeClass::permanent);
}

Expected<AliyunSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    AliyunSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto id = s->text("access_key_id", true);
    if (!id) return id.error();
    out.access_key_id = *id;
    auto secret = s->secret("access_key_secret", true);
    if (!secret) return secret.error();
    if (secret->empty()) return s->error("access_key_secret", "'access_key_secret' is empty");
    out.access_key_secret = *secret;
    auto sign = s->text("sign_name", true);
    if (!sign) return sign.error();
    out.sign_name = *sign;
    auto region = s->text("region", false, "cn-hangzhou");
    if (!region) return region.error();
    if (region->empty()) return s->error("region", "'region' is empty");
    out.region = *region;
    auto international = s->boolean("international", false);
    if (!international) return international.error();
    out.international = *international;
    auto templates = SmsTemplates::read(*s, provider, "Aliyun", "code");
    if (!templates) return templates.error();
    for (const auto& [name, t] : templates->all())
        if (t.positional)
            return s->error("templates", "'templates." + name +
                                             ".params' must be a table (template parameter = "
                                             "data variable) for aliyun-sms, not a list");
    out.templates = std::move(*templates);
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

// PhoneNumbers for `to`: the national number for +86, else (international)
// the digits with the country code. Not E.164: permanent; a number abroad
// without `international`: permanent for this provider only.
std::variant<std::string, Attempt> phone_number(const std::string& to, bool international) {
    if (auto e164 = check_e164(to, "+8613800138000"); !e164)
        return Attempt::permanent(e164.error().code, e164.error().message);
    if (util::starts_with(to, "+86")) return to.substr(3);
    if (!international)
        return Attempt::provider_refused("unsupported_recipient",
                                         "'" + to +
                                             "' is not a mainland China number (+86); aliyun-sms "
                                             "sends abroad only with international = true");
    return to.substr(1);
}

// A job the provider's templates cannot fill: no mapping is this provider's
// (another may have one); data the template needs is missing for any.
Attempt unfilled(const Error& e) {
    if (e.code == "no_vendor_template") return Attempt::provider_refused(e.code, e.message);
    return Attempt::permanent(e.code, e.message);
}

// UTC "yyyy-MM-ddTHH:mm:ssZ" of now.
std::string timestamp_now() {
    return util::format_rfc3339(util::now_ms() / 1000 * 1000);
}

Attempt read_reply(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    std::string code;
    if (!j.is_discarded() && j.is_object())
        if (auto it = j.find("Code"); it != j.end() && it->is_string())
            code = it->get<std::string>();
    if (code.empty()) {
        if (reply.status >= 200 && reply.status < 300)
            return Attempt::permanent("bad_reply",
                                      "unexpected reply: " + reason_from_body(reply.body));
        return classify_http(reply.status, reply.body, reply.retry_after, util::now_ms());
    }
    auto text = [&](const char* key) {
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (code == "OK") return Attempt::sent(text("BizId"), code);
    return vendor_failure(classify(code), code, vendor_message(text("Message")),
                          parse_retry_after(reply.retry_after, util::now_ms()));
}

class AliyunAdapter : public Adapter {
  public:
    explicit AliyunAdapter(AliyunSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        return with_detail(send(job), describe(sms_size(signed_text(job.body))));
    }

  private:
    // The SMS as it reaches the phone: Aliyun puts the signature in front.
    std::string signed_text(const std::string& body) const {
        return "【" + settings_.sign_name + "】" + body;
    }

    Started send(const wire::Job& job) {
        auto phone = phone_number(job.to, settings_.international);
        if (auto* refused = std::get_if<Attempt>(&phone)) return *refused;
        auto filled = settings_.templates.fill(job);
        if (!filled) return unfilled(filled.error());

        AliyunParams params = {
            {"Action", "SendSms"},
            {"Version", "2017-05-25"},
            {"Format", "JSON"},
            {"AccessKeyId", settings_.access_key_id},
            {"SignatureMethod", "HMAC-SHA1"},
            {"SignatureVersion", "1.0"},
            {"SignatureNonce", util::hex(util::random_bytes(16))},
            {"Timestamp", timestamp_now()},
            {"RegionId", settings_.region},
            {"PhoneNumbers", std::get<std::string>(phone)},
            {"SignName", settings_.sign_name},
            {"TemplateCode", filled->code},
            {"OutId", job.delivery_id},
        };
        if (!filled->params.empty()) {
            nlohmann::json object = nlohmann::json::object();
            for (const auto& [name, value] : filled->params) object[name] = value;
            params["TemplateParam"] =
                object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        std::vector<std::pair<std::string, std::string>> fields(params.begin(), params.end());
        fields.emplace_back("Signature",
                            aliyun_rpc_signature("POST", params, settings_.access_key_secret));

        HttpRequest request;
        request.method = "POST";
        request.url = join_url(settings_.endpoint, "/");
        request.headers = {"Content-Type: application/x-www-form-urlencoded",
                           "Accept: application/json"};
        request.body = form_encode(fields);
        return http_call(settings_.timeout, std::move(request),
                         [](const HttpReply& reply) -> Started { return read_reply(reply); });
    }

    AliyunSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<AliyunAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::aliyun_sms
