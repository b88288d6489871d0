// dingtalk_robot.cpp - the `dingtalk-robot` adapter: a DingTalk custom group
// robot (自定义机器人) webhook.
//
// Keys: token (required, the webhook's access_token; secret allowed), secret
// (the 加签 signing secret, "SEC..."; secret allowed), msgtype ("text", the
// default, or "markdown"), title (the markdown title when the job has no
// subject), endpoint (default https://oapi.dingtalk.com), overflow, timeout.
//
// POST {endpoint}/robot/send?access_token=T[&timestamp=MS&sign=S] with a JSON
// message. The job's recipient is mentioned: "@all" (everyone), a mobile
// number (digits, a leading +86 removed; "@mobile" is added to the text so
// DingTalk renders it) or any other text as a user id. A rendered payload (the
// vendor's message JSON, e.g. an actionCard) is sent as the message, with the
// mention added. Texts over the 20000-byte body limit are split, truncated or
// rejected as `overflow` says; the parts go one after another in one attempt.
// Outcomes come from the reply's errcode (DingTalk answers HTTP 200).
#include <memory>
#include <nlohmann/json.hpp>

#include "channels/dingtalk_sign.hpp"
#include "channels/message_limits.hpp"
#include "channels/message_parts.hpp"
#include "channels/robot_mention.hpp"
#include "channels/send_settings.hpp"
#include "channels/settings.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::dingtalk_robot {

using providers::dingtalk_robot::keys;

namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://oapi.dingtalk.com";
constexpr size_t kBodyLimit = 20000;     // the whole request body
constexpr size_t kContentLimit = 18000;  // a text, leaving room for the envelope
constexpr size_t kTitleLimit = 128;
constexpr Millis kThrottled = 10 * 60 * 1000;  // a robot over 20/min is blocked 10 minutes

constexpr VendorCode kCodes[] = {
    {"310000", CodeClass::permanent},  // keywords, signature or IP allow-list check failed
    {"130101", CodeClass::retryable},  // send too fast
    {"410100", CodeClass::retryable},  // send too fast
    {"300001", CodeClass::permanent},  // token does not exist
    {"400013", CodeClass::permanent},  // group unavailable
    {"400101", CodeClass::permanent},  // access_token does not exist
    {"430101", CodeClass::permanent},  // content rejected: unsafe link
    {"430102", CodeClass::permanent},  // content rejected: text
    {"430103", CodeClass::permanent},  // content rejected: image
    {"430104", CodeClass::permanent},  // content rejected
    {"-1", CodeClass::retryable},      // system busy
};

struct RobotSettings {
    std::string endpoint;
    std::string token;
    std::string secret;
    std::string msgtype;
    std::string title;
    SendSettings send;
};

Expected<RobotSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    RobotSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto token = s->secret("token", true);
    if (!token) return token.error();
    out.token = *token;
    auto secret = s->secret("secret", false);
    if (!secret) return secret.error();
    if (!secret->empty() && !util::starts_with(*secret, "SEC"))
        return s->error("secret",
                        "'secret' must be the robot's signing secret, which starts "
                        "with \"SEC\"");
    out.secret = *secret;
    auto msgtype = s->choice("msgtype", {"text", "markdown"},
                             "other kinds, such as actionCard, come from a template's payload");
    if (!msgtype) return msgtype.error();
    out.msgtype = *msgtype;
    auto title = s->text("title", false);
    if (!title) return title.error();
    out.title = *title;
    auto send = read_send_settings(*s, default_timeout);
    if (!send) return send.error();
    out.send = *send;
    return out;
}

using Mention = RobotMention;

json at_object(const Mention& m) {
    json at = json::object();
    at["atMobiles"] = m.mobile.empty() ? json::array() : json::array({m.mobile});
    at["atUserIds"] = m.user_id.empty() ? json::array() : json::array({m.user_id});
    at["isAtAll"] = m.all;
    return at;
}

// DingTalk renders a mobile mention only when the text holds "@<mobile>".
void add_mobile(json& text, const Mention& m) {
    if (m.mobile.empty() || !text.is_string()) return;
    std::string t = text.get<std::string>();
    if (t.find("@" + m.mobile) != std::string::npos) return;
    text = t + (t.empty() ? "@" : "\n@") + m.mobile;
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Expected<PartBodies> from_payload(const wire::Job& job, const Mention& mention) {
    json message = util::json_or_discarded(job.payload);
    if (message.is_discarded() || !message.is_object() || !message.contains("msgtype") ||
        !message["msgtype"].is_string())
        return make_error(ErrorKind::invalid, "invalid_payload",
                          "the template's payload is not a DingTalk message (a JSON object "
                          "with a \"msgtype\")");
    if (mention.any()) {
        json at = at_object(mention);
        if (message.contains("at") && message["at"].is_object())
            for (auto& item : message["at"].items())
                if (item.key() != "atMobiles" && item.key() != "atUserIds" &&
                    item.key() != "isAtAll")
                    at[item.key()] = item.value();
        message["at"] = at;
        const std::string type = message["msgtype"].get<std::string>();
        if (type == "text" && message.contains("text") && message["text"].is_object())
            add_mobile(message["text"]["content"], mention);
        if (type == "markdown" && message.contains("markdown") && message["markdown"].is_object())
            add_mobile(message["markdown"]["text"], mention);
    }
    PartBodies out;
    out.bodies.push_back(dump(message));
    return out;
}

Expected<PartBodies> prepare(const RobotSettings& settings, const wire::Job& job) {
    const Mention mention = read_robot_mention(job.to);
    if (!job.payload.empty()) return from_payload(job, mention);
    std::string content;
    std::string title;
    if (settings.msgtype == "text") {
        content = job.subject.empty() ? job.body
                  : job.body.empty()  ? job.subject
                                      : job.subject + "\n\n" + job.body;
    } else {
        content = job.body;
        title = !job.subject.empty()      ? first_line(job.subject, kTitleLimit)
                : !settings.title.empty() ? settings.title
                                          : first_line(job.body, kTitleLimit);
    }
    if (util::trim(content).empty())
        return make_error(ErrorKind::invalid, "empty_message", "the notification has no text");
    auto fitted = fit_json_text(content, kContentLimit, settings.send.overflow);
    if (!fitted) return fitted.error();
    PartBodies out;
    out.detail = fitted->detail;
    for (size_t i = 0; i < fitted->parts.size(); ++i) {
        json message = {{"msgtype", settings.msgtype}};
        json text = fitted->parts[i];
        if (i == 0) add_mobile(text, mention);  // mention once, with the first part
        if (settings.msgtype == "text")
            message["text"] = {{"content", text}};
        else
            message["markdown"] = {{"title", title}, {"text", text}};
        message["at"] = at_object(i == 0 ? mention : Mention{});
        out.bodies.push_back(dump(message));
    }
    return out;
}

// The outcome one reply gives: its errcode when it has one, else its HTTP status.
Attempt read_reply(const HttpReply& reply) {
    ErrcodeReply r = read_errcode_reply(reply.body);
    if (!r.valid) return without_code(reply, "errcode");
    if (r.code == "0") return Attempt::sent({}, r.code);
    CodeClass kind = classify_code(kCodes, r.code, CodeClass::permanent);
    bool throttled = r.code == "130101" || r.code == "410100";
    return vendor_failure(kind, r.code, r.message, throttled ? kThrottled : 0);
}

class RobotAdapter : public Adapter {
  public:
    explicit RobotAdapter(RobotSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        auto prepared = prepare(settings_, job);
        if (!prepared) return Attempt::permanent(prepared.error().code, prepared.error().message);
        for (const auto& body : prepared->bodies)
            if (body.size() > kBodyLimit)
                return Attempt::permanent("too_long", "the message is " +
                                                          std::to_string(body.size()) +
                                                          " bytes, over DingTalk's limit of " +
                                                          std::to_string(kBodyLimit));
        MessageParts parts;
        parts.count = prepared->bodies.size();
        parts.detail = prepared->detail;
        parts.timeout = settings_.send.timeout;
        parts.request = [this,
                         bodies = std::move(prepared->bodies)](size_t i) -> Expected<HttpRequest> {
            return HttpRequest{
                "POST", url(), {"Content-Type: application/json; charset=utf-8"}, bodies[i]};
        };
        parts.read = read_reply;
        return send_parts(std::move(parts));
    }

  private:
    // The send URL, signed now when the robot has a secret.
    std::string url() const {
        std::string u = join_url(settings_.endpoint, "/robot/send") +
                        "?access_token=" + percent_encode(settings_.token);
        if (!settings_.secret.empty()) {
            Millis now = util::now_ms();
            u += "&timestamp=" + std::to_string(now) +
                 "&sign=" + dingtalk_robot_sign(settings_.secret, now);
        }
        return u;
    }

    RobotSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<RobotAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::dingtalk_robot
