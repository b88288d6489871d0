// wechat_template.cpp - the `wechat-template` adapter: template and subscribe
// messages of a WeChat Official Account (or a Mini Program) to one openid.
//
// Keys: endpoint (default https://api.weixin.qq.com), app_id, app_secret
// (secret), message ("template", "subscribe" or "miniprogram-subscribe"),
// templates (notify template -> template_id and data keys, see
// common/vendor_templates.hpp; options url, page, miniprogram_appid,
// miniprogram_pagepath, miniprogram_state, lang as each message kind takes them),
// timeout.
//
// The access token comes from POST /cgi-bin/stable_token (normal mode, so every
// worker of the account shares the platform's token) and is kept per provider
// by TokenAdapter. The send is POST {endpoint}{path}?access_token=TOKEN with a
// JSON body; errcode 0 is sent (msgid), 40001/40014/42001 refresh the token once,
// -1 and 45009 are retryable. What only this account cannot do (its credentials,
// caller IP, template ids, a job template it has no mapping for) is permanent for
// this provider (the channel's next provider takes the delivery); the other
// documented refusals (the openid) and unknown codes are permanent.
// A job's payload (a JSON object) is merged into the body it builds.
#include <algorithm>
#include <map>
#include <variant>

#include <nlohmann/json.hpp>

#include "channels/outcome.hpp"
#include "channels/settings.hpp"
#include "channels/token_adapter.hpp"
#include "channels/vendor_codes.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "vendor_templates.hpp"

namespace notify::channels::wechat_template {

using providers::wechat_template::keys;

namespace {

using nlohmann::json;

enum class Kind { template_message, subscribe, miniprogram_subscribe };

struct MessageKind {
    const char* name;
    const char* path;
    std::vector<std::string> options;
};

const MessageKind kKinds[] = {
    {"template",
     "/cgi-bin/message/template/send",
     {"url", "miniprogram_appid", "miniprogram_pagepath"}},
    {"subscribe",
     "/cgi-bin/message/subscribe/bizsend",
     {"page", "miniprogram_appid", "miniprogram_pagepath"}},
    {"miniprogram-subscribe",
     "/cgi-bin/message/subscribe/send",
     {"page", "miniprogram_state", "lang"}},
};

// The send's errcodes (template and subscribe APIs).
constexpr VendorCode kSendCodes[] = {
    {"-1", CodeClass::retryable},     // system busy
    {"45009", CodeClass::retryable},  // daily quota reached
    {"40001", CodeClass::token},      // invalid credential
    {"40014", CodeClass::token},      // invalid access_token
    {"42001", CodeClass::token},      // access_token expired
    {"40003", CodeClass::permanent},  // invalid openid
    {"43004", CodeClass::permanent},  // the user does not follow the account
    {"43101", CodeClass::permanent},  // the user refused (no subscription left)
    {"40036", CodeClass::provider},   // invalid template_id size
    {"40037", CodeClass::provider},   // invalid template_id
    {"47003", CodeClass::permanent},  // argument invalid (a data value)
    {"40164", CodeClass::provider},   // caller IP not in the allow-list
};

// stable_token's errcodes; any other refusal (40001, 40013 invalid appid, 40125
// invalid appsecret, 40164 caller IP not allowed, ...) is the account's:
// permanent for this provider.
constexpr VendorCode kTokenCodes[] = {
    {"-1", CodeClass::retryable},     // system busy
    {"45009", CodeClass::retryable},  // call quota reached
};

constexpr const char* kDefaultEndpoint = "https://api.weixin.qq.com";
constexpr Millis kQuotaWait = 60 * 60 * 1000;
constexpr Millis kDefaultLifetime = 7200 * 1000;

struct WechatSettings {
    std::string endpoint;
    std::string app_id;
    std::string app_secret;
    Kind kind = Kind::template_message;
    std::map<std::string, VendorTemplate> templates;
    Millis timeout = 0;
};

bool is_app_id(const std::string& id) {
    if (id.size() < 3 || !util::starts_with(id, "wx")) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    return true;
}

Status check_template(const Settings& s, Kind kind, const std::string& name,
                      const VendorTemplate& t) {
    const std::string key = "templates." + name;
    if (t.positional)
        return s.error(key + ".params", "'" + key +
                                            ".params' must be a table (data key = data "
                                            "variable): wechat-template data keys have names");
    const auto& allowed = kKinds[static_cast<int>(kind)].options;
    for (const auto& [option, value] : t.options) {
        bool known = false;
        for (const auto& a : allowed) known = known || a == option;
        if (!known)
            return s.error(key + "." + option,
                           "unknown key '" + key + "." + option + "' for message \"" +
                               kKinds[static_cast<int>(kind)].name + "\"" +
                               util::did_you_mean(option, allowed) + " (known: code, params, " +
                               util::join(allowed, ", ") + ")");
        if (value.empty())
            return s.error(key + "." + option, "'" + key + "." + option + "' is empty");
    }
    if (t.options.count("miniprogram_pagepath") && !t.options.count("miniprogram_appid"))
        return s.error(key + ".miniprogram_pagepath",
                       "'" + key + ".miniprogram_pagepath' needs '" + key + ".miniprogram_appid'");
    if (auto it = t.options.find("url"); it != t.options.end())
        if (!util::starts_with(it->second, "http://") && !util::starts_with(it->second, "https://"))
            return s.error(
                key + ".url",
                "'" + key + ".url' must start with http:// or https://, not '" + it->second + "'");
    if (auto it = t.options.find("miniprogram_state"); it != t.options.end()) {
        const std::vector<std::string> states = {"developer", "trial", "formal"};
        if (std::find(states.begin(), states.end(), it->second) == states.end())
            return s.error(key + ".miniprogram_state",
                           "'" + key +
                               ".miniprogram_state' must be \"developer\", \"trial\" or "
                               "\"formal\", not '" +
                               it->second + "'" + util::did_you_mean(it->second, states));
    }
    if (auto it = t.options.find("lang"); it != t.options.end()) {
        const std::vector<std::string> langs = {"zh_CN", "en_US", "zh_HK", "zh_TW"};
        if (std::find(langs.begin(), langs.end(), it->second) == langs.end())
            return s.error(key + ".lang", "'" + key +
                                              ".lang' must be \"zh_CN\", \"en_US\", \"zh_HK\" or "
                                              "\"zh_TW\", not '" +
                                              it->second + "'" +
                                              util::did_you_mean(it->second, langs));
    }
    return ok();
}

Expected<WechatSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    WechatSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto app_id = s->text("app_id", true);
    if (!app_id) return app_id.error();
    if (!is_app_id(*app_id))
        return s->error("app_id",
                        "'app_id' must be the account's AppID (\"wx\" and letters or "
                        "digits), not '" +
                            *app_id + "'");
    out.app_id = *app_id;
    auto secret = s->secret("app_secret", true);
    if (!secret) return secret.error();
    if (secret->empty()) return s->error("app_secret", "'app_secret' is empty");
    out.app_secret = *secret;
    auto message = s->choice("message", {kKinds[0].name, kKinds[1].name, kKinds[2].name});
    if (!message) return message.error();
    for (int i = 0; i < 3; ++i)
        if (*message == kKinds[i].name) out.kind = static_cast<Kind>(i);
    auto templates = read_vendor_templates(provider);
    if (!templates) return templates.error();
    if (templates->empty())
        return s->error("templates",
                        "'templates' is missing: map each notify template to its "
                        "template_id ([providers." +
                            provider.name + ".templates.NAME] with 'code')");
    for (const auto& [name, t] : *templates)
        if (auto st = check_template(*s, out.kind, name, t); !st) return st.error();
    out.templates = std::move(*templates);
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

// Invalid UTF-8 (in a recipient, say) becomes U+FFFD instead of an exception.
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// What a send's reply says; a refused token is marked for TokenAdapter.
PartReply read_reply(const HttpReply& reply) {
    if (reply.status != 200)
        return classify_http(reply.status, reply.body, reply.retry_after, util::now_ms());
    ErrcodeReply r = read_errcode_reply(reply.body);
    if (!r.valid)
        return Attempt::retryable("invalid_reply", "the reply has no errcode: " +
                                                       vendor_message(log::clip(reply.body, 200)));
    if (r.code == "0") return Attempt::sent(r.field("msgid"), r.code);
    CodeClass kind = classify_code(kSendCodes, r.code, CodeClass::permanent);
    return PartReply(
        vendor_failure(kind, r.code, r.message.empty() ? "errcode " + r.code : r.message,
                       r.code == "45009" ? kQuotaWait : 0),
        kind == CodeClass::token);
}

class WechatAdapter : public TokenAdapter {
  public:
    explicit WechatAdapter(WechatSettings settings)
        : TokenAdapter(settings.timeout), settings_(std::move(settings)) {}

  protected:
    HttpRequest token_request() const override {
        json body = {{"grant_type", "client_credential"},
                     {"appid", settings_.app_id},
                     {"secret", settings_.app_secret},
                     {"force_refresh", false}};
        return HttpRequest{"POST",
                           join_url(settings_.endpoint, "/cgi-bin/stable_token"),
                           {"Content-Type: application/json"},
                           dump(body)};
    }

    FetchedToken read_token(const HttpReply& reply) const override {
        FetchedToken out;
        if (reply.status != 200) {
            out.failure =
                classify_http(reply.status, reply.body, reply.retry_after, util::now_ms());
            out.failure->message = "access token: " + out.failure->message;
            return out;
        }
        ErrcodeReply r = read_errcode_reply(reply.body);
        if (!r.object) {
            out.failure = Attempt::retryable("invalid_reply",
                                             "access token: the reply is not a JSON object: " +
                                                 vendor_message(log::clip(reply.body, 200)));
            return out;
        }
        std::string code = r.code;
        if ((code.empty() || code == "0") && !r.field("access_token").empty()) {
            out.token = r.field("access_token");
            out.lifetime = r.seconds("expires_in", kDefaultLifetime);
            return out;
        }
        if (code.empty()) code = "invalid_reply";
        CodeClass kind = classify_code(kTokenCodes, code, CodeClass::provider);
        out.failure = vendor_failure(
            kind, code, "access token: " + (r.message.empty() ? "no access_token" : r.message),
            code == "45009" ? kQuotaWait : 0);
        return out;
    }

    Started send(const wire::Job& job, const std::string& token, bool may_refresh) override {
        auto body = build_body(job);
        if (auto* failed = std::get_if<Attempt>(&body)) return *failed;
        const MessageKind& kind = kKinds[static_cast<int>(settings_.kind)];
        MessageParts parts = posts(
            join_url(settings_.endpoint, kind.path) + "?access_token=" + percent_encode(token),
            {"Content-Type: application/json"}, {{std::get<std::string>(body)}, {}});
        parts.read = read_reply;
        return send_parts(job, token, may_refresh, std::move(parts));
    }

  private:
    // The send's JSON body, or why the job cannot be sent.
    std::variant<std::string, Attempt> build_body(const wire::Job& job) const {
        if (util::trim(job.to).empty())
            return Attempt::permanent("missing_recipient", "the delivery has no openid");
        auto found = settings_.templates.find(job.template_name);
        if (found == settings_.templates.end())
            return Attempt::provider_refused(
                "no_vendor_template",
                job.template_name.empty()
                    ? "wechat-template sends only from templates: the notification has none"
                    : "no template_id for template '" + job.template_name +
                          "' in the provider's 'templates' table");
        const VendorTemplate& t = found->second;
        auto params = vendor_params(t, job.data_json);
        if (!params) return Attempt::permanent(params.error().code, params.error().message);

        json data = json::object();
        for (const auto& [key, value] : *params) data[key] = {{"value", value}};
        auto option = [&](const char* name) -> std::string {
            auto it = t.options.find(name);
            return it == t.options.end() ? std::string() : it->second;
        };
        json body = {{"touser", job.to}, {"template_id", t.code}};
        if (settings_.kind == Kind::template_message && !option("url").empty())
            body["url"] = option("url");
        if (settings_.kind != Kind::template_message && !option("page").empty())
            body["page"] = option("page");
        if (!option("miniprogram_appid").empty()) {
            json mp = {{"appid", option("miniprogram_appid")}};
            if (!option("miniprogram_pagepath").empty())
                mp["pagepath"] = option("miniprogram_pagepath");
            body["miniprogram"] = mp;
        }
        if (!option("miniprogram_state").empty())
            body["miniprogram_state"] = option("miniprogram_state");
        if (!option("lang").empty()) body["lang"] = option("lang");
        if (settings_.kind == Kind::template_message) body["client_msg_id"] = job.delivery_id;
        body["data"] = data;

        if (!job.payload.empty()) {
            auto extra = util::json_or_discarded(job.payload);
            if (extra.is_discarded() || !extra.is_object())
                return Attempt::permanent("invalid_payload",
                                          "the template's payload is not a JSON object");
            for (const auto& [key, value] : extra.items())
                if (key != "touser") body[key] = value;
        }
        return dump(body);
    }

    WechatSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<WechatAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::wechat_template
