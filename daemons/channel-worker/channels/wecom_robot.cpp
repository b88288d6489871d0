// wecom_robot.cpp - the `wecom-robot` adapter: posts to a WeCom (企业微信)
// group robot's webhook.
//
// Keys: endpoint (default https://qyapi.weixin.qq.com), key (required, the
// webhook's key=..., secret allowed), msgtype ("text", the default, or
// "markdown"), overflow, timeout.
// Request: POST {endpoint}/cgi-bin/webhook/send?key=KEY with a JSON message:
//   text      {"msgtype":"text","text":{"content","mentioned_list","mentioned_mobile_list"}}
//   markdown  {"msgtype":"markdown","markdown":{"content"}}
//   payload   the job's payload (news, template_card, ...) as the vendor's message
// Content is at most 2048 bytes (text) or 4096 bytes (markdown); longer texts
// are split, truncated or refused as `overflow` says. Recipients: "" (no
// mention), "@all", a mobile number (digits, "+86" removed) or a userid.
// The reply's errcode decides the outcome (table below); the robot gives no
// message id.
#include <nlohmann/json.hpp>

#include "channels/message_limits.hpp"
#include "channels/message_parts.hpp"
#include "channels/outcome.hpp"
#include "channels/robot_mention.hpp"
#include "channels/send_settings.hpp"
#include "channels/settings.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::wecom_robot {

using providers::wecom_robot::keys;

namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://qyapi.weixin.qq.com";
constexpr size_t kTextBytes = 2048;
constexpr size_t kMarkdownBytes = 4096;
constexpr Millis kFrequencyWait = 60 * 1000;  // the robot's limit is per minute

const VendorCode kCodes[] = {
    {"-1", CodeClass::retryable},     // system busy
    {"45009", CodeClass::retryable},  // api frequency out of limit
    {"93000", CodeClass::permanent},  // invalid webhook url (the key)
    {"40008", CodeClass::permanent},  // invalid message type
    {"40058", CodeClass::permanent},  // invalid parameter in the message
    {"44004", CodeClass::permanent},  // empty text content
    {"45002", CodeClass::permanent},  // content over the size limit
};

enum class Kind { text, markdown };

struct RobotSettings {
    std::string url;  // the send URL, key included
    Kind kind = Kind::text;
    SendSettings send;
};

bool key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

Expected<RobotSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    RobotSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    auto key = s->secret("key", true);
    if (!key) return key.error();
    if (key->find("://") != std::string::npos)
        return s->error("key",
                        "'key' must be the value after 'key=' in the webhook URL, "
                        "not the URL itself");
    for (char c : *key)
        if (!key_char(c))
            return s->error("key", "'key' may hold only letters, digits, '-' and '_'");
    out.url = join_url(*endpoint, "/cgi-bin/webhook/send") + "?key=" + percent_encode(*key);
    auto msgtype = s->choice("msgtype", {"text", "markdown"});
    if (!msgtype) return msgtype.error();
    out.kind = *msgtype == "markdown" ? Kind::markdown : Kind::text;
    auto send = read_send_settings(*s, default_timeout);
    if (!send) return send.error();
    out.send = *send;
    return out;
}

// Who the message mentions, from the job's recipient.
struct Mention {
    std::vector<std::string> users;    // userids, or "@all"
    std::vector<std::string> mobiles;  // mobile numbers
    bool empty() const { return users.empty() && mobiles.empty(); }
};

Mention mention_for(const std::string& to) {
    RobotMention r = read_robot_mention(to);
    Mention m;
    if (r.all) m.users.push_back("@all");
    if (!r.user_id.empty()) m.users.push_back(r.user_id);
    if (!r.mobile.empty()) m.mobiles.push_back(r.mobile);
    return m;
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Expected<PartBodies> from_payload(const wire::Job& job, const Mention& mention) {
    auto j = util::json_or_discarded(job.payload);
    if (j.is_discarded() || !j.is_object() || !j.contains("msgtype") || !j["msgtype"].is_string())
        return make_error(ErrorKind::invalid, "invalid_payload",
                          "the template's payload is not a WeCom message (a JSON object with "
                          "\"msgtype\")");
    PartBodies seq;
    std::string type = j["msgtype"].get<std::string>();
    if (!mention.empty()) {
        if (type == "text" && j.contains("text") && j["text"].is_object()) {
            json& text = j["text"];
            for (const auto& u : mention.users) text["mentioned_list"].push_back(u);
            for (const auto& m : mention.mobiles) text["mentioned_mobile_list"].push_back(m);
        } else {
            add_detail(seq.detail, "mention_dropped=" + type);
        }
    }
    seq.bodies.push_back(dump(j));
    return seq;
}

Expected<PartBodies> build(const RobotSettings& settings, const wire::Job& job) {
    const Mention mention = mention_for(job.to);
    if (!job.payload.empty()) return from_payload(job, mention);
    PartBodies seq;
    std::string text;
    if (settings.kind == Kind::markdown) {
        // Markdown mentions are written in the content; only userids can be.
        if (!mention.users.empty() && mention.users[0] != "@all")
            text = "<@" + mention.users[0] + ">\n";
        else if (!mention.empty())
            add_detail(seq.detail, "mention_dropped=markdown");
        if (!job.subject.empty()) text += "**" + job.subject + "**\n";
        text += job.body;
    } else {
        text = job.subject.empty() ? job.body
               : job.body.empty()  ? job.subject
                                   : job.subject + "\n" + job.body;
    }
    const size_t limit = settings.kind == Kind::markdown ? kMarkdownBytes : kTextBytes;
    auto fitted = fit_text(text, TextLimit{limit, LengthUnit::bytes, settings.send.overflow});
    if (!fitted) return fitted.error();
    if (!fitted->detail.empty()) add_detail(seq.detail, fitted->detail);
    for (size_t i = 0; i < fitted->parts.size(); ++i) {
        json message;
        if (settings.kind == Kind::markdown) {
            message = {{"msgtype", "markdown"}, {"markdown", {{"content", fitted->parts[i]}}}};
        } else {
            json content = {{"content", fitted->parts[i]}};
            if (i == 0 && !mention.users.empty()) content["mentioned_list"] = mention.users;
            if (i == 0 && !mention.mobiles.empty())
                content["mentioned_mobile_list"] = mention.mobiles;
            message = {{"msgtype", "text"}, {"text", content}};
        }
        seq.bodies.push_back(dump(message));
    }
    return seq;
}

// The outcome a reply gives: its errcode when it has one, else its HTTP status.
Attempt read_reply(const HttpReply& reply) {
    ErrcodeReply r = read_errcode_reply(reply.body);
    if (!r.valid) return without_code(reply, "errcode");
    if (r.code == "0") return Attempt::sent("", r.code);
    return code_failure(kCodes, r.code, r.message, reply, r.code == "45009" ? kFrequencyWait : 0);
}

class RobotAdapter : public Adapter {
  public:
    explicit RobotAdapter(RobotSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        auto seq = build(settings_, job);
        if (!seq) return Attempt::permanent(seq.error().code, seq.error().message);
        MessageParts parts =
            posts(settings_.url, {"Content-Type: application/json"}, std::move(*seq));
        parts.timeout = settings_.send.timeout;
        parts.read = read_reply;
        return send_parts(std::move(parts));
    }

  private:
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

}  // namespace notify::channels::wecom_robot
