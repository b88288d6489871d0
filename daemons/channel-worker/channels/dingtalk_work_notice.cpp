// dingtalk_work_notice.cpp - the `dingtalk-work-notice` adapter: a DingTalk
// corp app's work notification (工作通知), sent with the app's access token.
//
// Keys: app_key (required), app_secret (required; secret allowed), agent_id
// (required, the app's integer AgentId), msgtype ("text", the default, or
// "markdown"), endpoint (default https://oapi.dingtalk.com), overflow, timeout.
//
// Token: GET {endpoint}/gettoken?appkey=K&appsecret=S, kept for its expires_in.
// Send: POST {endpoint}/topapi/message/corpconversation/asyncsend_v2?access_token=T
// with {"agent_id":N,"userid_list"|"dept_id_list"|"to_all_user", "msg":{...}}.
// Recipients: a userid, "dept:ID" (a department) or "@all". A rendered payload
// (the vendor's msg JSON, e.g. an action_card) is sent as `msg`. The msg may be
// at most 2048 bytes: longer texts are split, truncated or rejected as
// `overflow` says. The reply's task_id is the message id (of the first part).
// A send refused for its token (invalid or expired) fetches a new token and
// sends once more; a split message then goes on from the refused part. A
// token fetch refused (the app's key or secret, 40089, or the caller IP,
// 60020) is permanent for this provider: the channel's next provider takes
// the delivery.
#include <memory>
#include <nlohmann/json.hpp>

#include "channels/message_limits.hpp"
#include "channels/send_settings.hpp"
#include "channels/settings.hpp"
#include "channels/token_adapter.hpp"
#include "channels/vendor_codes.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::dingtalk_work_notice {

using providers::dingtalk_work_notice::keys;

namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://oapi.dingtalk.com";
constexpr size_t kMsgLimit = 2048;  // the serialized `msg` object
constexpr size_t kTitleLimit = 128;
constexpr Millis kDefaultLifetime = 7200 * 1000;

constexpr VendorCode kSendCodes[] = {
    {"40014", CodeClass::token},     // invalid access_token
    {"42001", CodeClass::token},     // access_token expired
    {"40001", CodeClass::token},     // access_token invalid (or wrong secret: the refetch says)
    {"88", CodeClass::retryable},    // calls too fast, briefly refused
    {"-1", CodeClass::retryable},    // system busy
    {"60020", CodeClass::provider},  // caller IP not in the app's allow-list
};

// gettoken: anything but "busy" means the app's credentials (or the caller's
// IP) are refused: permanent for this provider.
constexpr VendorCode kTokenCodes[] = {
    {"88", CodeClass::retryable},
    {"-1", CodeClass::retryable},
};

struct NoticeSettings {
    std::string endpoint;
    std::string app_key;
    std::string app_secret;
    long long agent_id = 0;
    std::string msgtype;
    SendSettings send;
};

Expected<NoticeSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    NoticeSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto key = s->text("app_key", true);
    if (!key) return key.error();
    out.app_key = *key;
    auto secret = s->secret("app_secret", true);
    if (!secret) return secret.error();
    out.app_secret = *secret;
    auto agent = s->positive_integer("agent_id");
    if (!agent) return agent.error();
    out.agent_id = *agent;
    auto msgtype =
        s->choice("msgtype", {"text", "markdown"}, "other kinds come from a template's payload");
    if (!msgtype) return msgtype.error();
    out.msgtype = *msgtype;
    auto send = read_send_settings(*s, default_timeout);
    if (!send) return send.error();
    out.send = *send;
    return out;
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Expected<json> recipients(const wire::Job& job, long long agent_id) {
    std::string to = util::trim(job.to);
    json body = {{"agent_id", agent_id}};
    if (to.empty())
        return make_error(ErrorKind::invalid, "missing_recipient", "the delivery has no recipient");
    if (to == "@all") {
        body["to_all_user"] = true;
    } else if (util::starts_with(to, "dept:")) {
        std::string dept = to.substr(5);
        if (dept.empty() || dept.find_first_not_of("0123456789,") != std::string::npos)
            return make_error(ErrorKind::invalid, "invalid_recipient",
                              "'" + to + "' is not a department (dept:ID, ID a number)");
        body["dept_id_list"] = dept;
    } else {
        body["userid_list"] = to;
    }
    return body;
}

Expected<PartBodies> prepare(const NoticeSettings& settings, const wire::Job& job) {
    auto envelope = recipients(job, settings.agent_id);
    if (!envelope) return envelope.error();
    PartBodies out;
    if (!job.payload.empty()) {
        json msg = util::json_or_discarded(job.payload);
        if (msg.is_discarded() || !msg.is_object() || !msg.contains("msgtype") ||
            !msg["msgtype"].is_string())
            return make_error(ErrorKind::invalid, "invalid_payload",
                              "the template's payload is not a DingTalk message (a JSON object "
                              "with a \"msgtype\")");
        std::string text = dump(msg);
        if (text.size() > kMsgLimit)
            return make_error(ErrorKind::invalid, "too_long",
                              "the payload is " + std::to_string(text.size()) +
                                  " bytes, over DingTalk's limit of " + std::to_string(kMsgLimit) +
                                  " for a work notice");
        json body = *envelope;
        body["msg"] = msg;
        out.bodies.push_back(dump(body));
        return out;
    }
    std::string content;
    json msg = {{"msgtype", settings.msgtype}};
    if (settings.msgtype == "text") {
        content = job.subject.empty() ? job.body
                  : job.body.empty()  ? job.subject
                                      : job.subject + "\n\n" + job.body;
        msg["text"] = {{"content", ""}};
    } else {
        content = job.body;
        std::string title = first_line(job.subject.empty() ? job.body : job.subject, kTitleLimit);
        msg["markdown"] = {{"title", title}, {"text", ""}};
    }
    if (util::trim(content).empty())
        return make_error(ErrorKind::invalid, "empty_message", "the notification has no text");
    const size_t envelope_size = dump(msg).size();
    if (envelope_size + 64 > kMsgLimit)
        return make_error(ErrorKind::invalid, "too_long", "the message's title is too long");
    auto fitted = fit_json_text(content, kMsgLimit - envelope_size, settings.send.overflow);
    if (!fitted) return fitted.error();
    out.detail = fitted->detail;
    const char* field = settings.msgtype == "text" ? "content" : "text";
    for (const auto& part : fitted->parts) {
        msg[settings.msgtype][field] = part;
        json body = *envelope;
        body["msg"] = msg;
        out.bodies.push_back(dump(body));
    }
    return out;
}

// What a send's reply says; a refused token is marked for TokenAdapter.
PartReply read_reply(const HttpReply& reply) {
    ErrcodeReply r = read_errcode_reply(reply.body);
    if (!r.valid) return without_code(reply, "errcode");
    if (r.code == "0") return Attempt::sent(r.field("task_id"), r.code);
    CodeClass kind = classify_code(kSendCodes, r.code, CodeClass::permanent);
    return PartReply(vendor_failure(kind, r.code, r.message), kind == CodeClass::token);
}

class WorkNoticeAdapter : public TokenAdapter {
  public:
    explicit WorkNoticeAdapter(NoticeSettings settings)
        : TokenAdapter(settings.send.timeout), settings_(std::move(settings)) {}

  protected:
    HttpRequest token_request() const override {
        HttpRequest request;
        request.method = "GET";
        request.url =
            join_url(settings_.endpoint, "/gettoken") + "?" +
            form_encode({{"appkey", settings_.app_key}, {"appsecret", settings_.app_secret}});
        return request;
    }

    FetchedToken read_token(const HttpReply& reply) const override {
        FetchedToken out;
        ErrcodeReply r = read_errcode_reply(reply.body);
        if (!r.valid) {
            out.failure = without_code(reply, "errcode");
            out.failure->message = "gettoken: " + out.failure->message;
        } else if (r.code != "0") {
            CodeClass kind = classify_code(kTokenCodes, r.code, CodeClass::provider);
            out.failure = vendor_failure(kind, r.code, "gettoken: " + r.message);
        } else if (r.field("access_token").empty()) {
            out.failure = Attempt::permanent("bad_reply", "the token reply has no access_token");
        } else {
            out.token = r.field("access_token");
            out.lifetime = r.seconds("expires_in", kDefaultLifetime);
        }
        return out;
    }

    Started send(const wire::Job& job, const std::string& token, bool may_refresh) override {
        auto prepared = prepare(settings_, job);
        if (!prepared) return Attempt::permanent(prepared.error().code, prepared.error().message);
        MessageParts parts =
            posts(join_url(settings_.endpoint, "/topapi/message/corpconversation/asyncsend_v2") +
                      "?access_token=" + percent_encode(token),
                  {"Content-Type: application/json; charset=utf-8"}, std::move(*prepared));
        parts.read = read_reply;
        return send_parts(job, token, may_refresh, std::move(parts));
    }

  private:
    NoticeSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<WorkNoticeAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::dingtalk_work_notice
