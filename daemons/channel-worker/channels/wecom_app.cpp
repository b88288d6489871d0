// wecom_app.cpp - the `wecom-app` adapter: sends a WeCom (企业微信) application
// message with the app's access token.
//
// Keys: endpoint (default https://qyapi.weixin.qq.com), corp_id, corp_secret
// (secret allowed), agent_id (integer), msgtype ("text", the default, or
// "markdown"), safe (bool), duplicate_check_interval (a duration up to 4h: turns
// WeCom's duplicate check on), overflow, timeout.
// Token: GET {endpoint}/cgi-bin/gettoken?corpid=&corpsecret=, shared by the
// provider's jobs (token_adapter.hpp). Send: POST
// {endpoint}/cgi-bin/message/send?access_token=T with the recipient (touser,
// toparty or totag), agentid and the message; a job's payload is sent as the
// message with those added. Content is at most 2048 bytes; longer texts follow
// `overflow`. Recipients: a userid, "party:ID", "tag:ID", "@all".
// Outcome from errcode (tables below): 40001, 40014 and 42001 on a send refresh
// the token and send once more; a refused token fetch (the corp's credentials)
// and 60020 (caller IP) are permanent for this provider, so the channel's next
// provider takes the delivery. errcode 0 with our recipient listed as invalid is
// a permanent failure. The message id is the reply's msgid.
#include <span>

#include <nlohmann/json.hpp>

#include "channels/message_limits.hpp"
#include "channels/outcome.hpp"
#include "channels/send_settings.hpp"
#include "channels/settings.hpp"
#include "channels/token_adapter.hpp"
#include "channels/vendor_codes.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::wecom_app {

using providers::wecom_app::keys;

namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://qyapi.weixin.qq.com";
constexpr size_t kContentBytes = 2048;
constexpr Millis kFrequencyWait = 60 * 1000;
constexpr Millis kDefaultTokenLife = 7200 * 1000;
constexpr Millis kMaxDuplicateInterval = 4 * 3600 * 1000;

// gettoken: other codes (40001 invalid corp_secret, 40013 invalid corpid,
// 60020 caller IP not trusted, ...) are the corp's: permanent for this provider.
const VendorCode kTokenCodes[] = {
    {"-1", CodeClass::retryable},     // system busy
    {"45009", CodeClass::retryable},  // api frequency out of limit
};

const VendorCode kSendCodes[] = {
    {"-1", CodeClass::retryable},     // system busy
    {"45009", CodeClass::retryable},  // api frequency out of limit
    {"40001", CodeClass::token},      // invalid credential: the token is not (or no longer) valid
    {"40014", CodeClass::token},      // invalid access_token
    {"42001", CodeClass::token},      // access_token expired
    {"60020", CodeClass::provider},   // caller IP not trusted
    {"81013", CodeClass::permanent},  // no valid recipient
};

enum class Kind { text, markdown };

struct AppSettings {
    std::string endpoint;
    std::string corp_id;
    std::string corp_secret;
    long long agent_id = 0;
    Kind kind = Kind::text;
    bool safe = false;
    long long duplicate_seconds = 0;  // 0: no duplicate check
    SendSettings send;
};

Expected<AppSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    AppSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto corp_id = s->text("corp_id", true);
    if (!corp_id) return corp_id.error();
    out.corp_id = *corp_id;
    auto secret = s->secret("corp_secret", true);
    if (!secret) return secret.error();
    out.corp_secret = *secret;
    auto agent = s->positive_integer("agent_id");
    if (!agent) return agent.error();
    out.agent_id = *agent;
    auto msgtype = s->choice("msgtype", {"text", "markdown"});
    if (!msgtype) return msgtype.error();
    out.kind = *msgtype == "markdown" ? Kind::markdown : Kind::text;
    auto safe = s->boolean("safe", false);
    if (!safe) return safe.error();
    out.safe = *safe;
    if (s->has("duplicate_check_interval")) {
        auto interval = s->duration("duplicate_check_interval", 0);
        if (!interval) return interval.error();
        if (*interval > kMaxDuplicateInterval)
            return s->error("duplicate_check_interval",
                            "'duplicate_check_interval' must be at most 4h");
        out.duplicate_seconds = (*interval + 999) / 1000;
    }
    auto send = read_send_settings(*s, default_timeout);
    if (!send) return send.error();
    out.send = *send;
    return out;
}

// Where the message goes: one of touser, toparty, totag, and the id.
struct Target {
    std::string field;    // "touser", "toparty" or "totag"
    std::string id;       // userid, "@all", party or tag id
    std::string invalid;  // the reply field that lists it when WeCom refused it
};

Expected<Target> target_for(const std::string& to) {
    auto bad = [&](const std::string& why) {
        return make_error(ErrorKind::invalid, "invalid_recipient", "recipient '" + to + "' " + why);
    };
    if (to.empty())
        return make_error(ErrorKind::invalid, "missing_recipient",
                          "a wecom-app delivery needs a recipient: a userid, \"party:ID\", "
                          "\"tag:ID\" or \"@all\"");
    for (const char* prefix : {"party:", "tag:"}) {
        if (!util::starts_with(to, prefix)) continue;
        std::string id = to.substr(std::string_view(prefix).size());
        bool digits = !id.empty();
        for (char c : id) digits = digits && c >= '0' && c <= '9';
        if (!digits) return bad("must have a numeric id after '" + std::string(prefix) + "'");
        if (prefix[0] == 'p') return Target{"toparty", id, "invalidparty"};
        return Target{"totag", id, "invalidtag"};
    }
    if (to.find_first_of("| \t\r\n") != std::string::npos)
        return bad("is not a userid (it has '|' or white space)");
    return Target{"touser", to, "invaliduser"};
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct Sequence : PartBodies {
    Target target;
};

Expected<Sequence> build(const AppSettings& settings, const wire::Job& job) {
    auto target = target_for(job.to);
    if (!target) return target.error();
    Sequence seq;
    seq.target = *target;
    auto address = [&](json& message) {
        for (const char* field : {"touser", "toparty", "totag"}) message.erase(field);
        message[target->field] = target->id;
        message["agentid"] = settings.agent_id;
        if (settings.duplicate_seconds > 0 && !message.contains("enable_duplicate_check")) {
            message["enable_duplicate_check"] = 1;
            message["duplicate_check_interval"] = settings.duplicate_seconds;
        }
    };
    if (!job.payload.empty()) {
        auto j = util::json_or_discarded(job.payload);
        if (j.is_discarded() || !j.is_object() || !j.contains("msgtype") ||
            !j["msgtype"].is_string())
            return make_error(ErrorKind::invalid, "invalid_payload",
                              "the template's payload is not a WeCom message (a JSON object "
                              "with \"msgtype\")");
        if (settings.safe && !j.contains("safe")) j["safe"] = 1;
        address(j);
        seq.bodies.push_back(dump(j));
        return seq;
    }
    std::string text;
    if (settings.kind == Kind::markdown)
        text = (job.subject.empty() ? "" : "**" + job.subject + "**\n") + job.body;
    else
        text = job.subject.empty() ? job.body
               : job.body.empty()  ? job.subject
                                   : job.subject + "\n" + job.body;
    auto fitted =
        fit_text(text, TextLimit{kContentBytes, LengthUnit::bytes, settings.send.overflow});
    if (!fitted) return fitted.error();
    seq.detail = fitted->detail;
    const char* type = settings.kind == Kind::markdown ? "markdown" : "text";
    for (const auto& part : fitted->parts) {
        json message = {{"msgtype", type}, {type, {{"content", part}}}};
        if (settings.kind == Kind::text) message["safe"] = settings.safe ? 1 : 0;
        address(message);
        seq.bodies.push_back(dump(message));
    }
    return seq;
}

// True when the '|'-separated `list` names `id` (WeCom may change the case of userids).
bool lists(const std::string& list, const std::string& id) {
    for (const auto& item : util::split(list, '|'))
        if (util::to_lower(util::trim(item)) == util::to_lower(id)) return true;
    return false;
}

// A failed errcode, classified by `table` (an unlisted code: `fallback`). A
// retryable one waits as long as Retry-After says, else a minute for 45009.
Attempt failure(std::span<const VendorCode> table, CodeClass fallback, const ErrcodeReply& r,
                const HttpReply& reply, const std::string& context) {
    Millis wait = parse_retry_after(reply.retry_after, util::now_ms());
    if (wait <= 0 && r.code == "45009") wait = kFrequencyWait;
    return vendor_failure(classify_code(table, r.code, fallback), r.code, context + r.message,
                          wait);
}

// What a send's reply says for `target`; a refused token is marked for TokenAdapter.
PartReply read_reply(const HttpReply& reply, const Target& t) {
    ErrcodeReply r = read_errcode_reply(reply.body);
    if (!r.valid) return without_code(reply, "errcode");
    if (r.code != "0")
        return PartReply(
            failure(kSendCodes, CodeClass::permanent, r, reply, ""),
            classify_code(kSendCodes, r.code, CodeClass::permanent) == CodeClass::token);
    if (t.id != "@all" && lists(r.field(t.invalid), t.id))
        return Attempt::permanent(
            "invalid_recipient",
            "WeCom lists '" + t.id + "' in " + t.invalid + ": the message did not reach it");
    if (t.field == "touser" && t.id != "@all" && lists(r.field("unlicenseduser"), t.id))
        return Attempt::permanent(
            "unlicensed_user",
            "WeCom lists '" + t.id + "' in unlicenseduser: the user has no license");
    return Attempt::sent(r.field("msgid"), r.code);
}

class AppAdapter : public TokenAdapter {
  public:
    explicit AppAdapter(AppSettings settings)
        : TokenAdapter(settings.send.timeout), settings_(std::move(settings)) {}

  protected:
    HttpRequest token_request() const override {
        HttpRequest r;
        r.method = "GET";
        r.url = join_url(settings_.endpoint, "/cgi-bin/gettoken") + "?" +
                form_encode({{"corpid", settings_.corp_id}, {"corpsecret", settings_.corp_secret}});
        return r;
    }

    FetchedToken read_token(const HttpReply& reply) const override {
        FetchedToken out;
        ErrcodeReply r = read_errcode_reply(reply.body);
        std::string token = r.field("access_token");
        if (r.valid && r.code != "0") {
            out.failure = failure(kTokenCodes, CodeClass::provider, r, reply, "access token: ");
        } else if (!token.empty()) {
            out.token = token;
            out.lifetime = r.seconds("expires_in", kDefaultTokenLife);
        } else if (r.valid) {
            out.failure = Attempt::permanent("bad_reply", "access token: the reply has none");
        } else {
            out.failure = without_code(reply, "errcode");
        }
        return out;
    }

    Started send(const wire::Job& job, const std::string& token, bool may_refresh) override {
        auto seq = build(settings_, job);
        if (!seq) return Attempt::permanent(seq.error().code, seq.error().message);
        MessageParts parts =
            posts(join_url(settings_.endpoint, "/cgi-bin/message/send") +
                      "?access_token=" + percent_encode(token),
                  {"Content-Type: application/json"}, {std::move(seq->bodies), seq->detail});
        parts.read = [target = seq->target](const HttpReply& reply) {
            return read_reply(reply, target);
        };
        return send_parts(job, token, may_refresh, std::move(parts));
    }

  private:
    AppSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<AppAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::wecom_app
