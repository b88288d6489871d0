// feishu_bot.cpp - the `feishu-bot` adapter: posts to a Feishu / Lark custom
// bot's webhook.
//
// Keys: endpoint (default https://open.feishu.cn; Lark: https://open.larksuite.com),
// token (required, the hook's token, secret allowed), secret (the signing
// secret, when the bot checks signatures), msgtype ("text", the default, or
// "post"), overflow, timeout.
// Request: POST {endpoint}/open-apis/bot/v2/hook/TOKEN with a JSON message:
//   text  {"msg_type":"text","content":{"text"}}
//   post  {"msg_type":"post","content":{"post":{"zh_cn":{"title","content":[[line]...]}}}}
//   payload  the job's payload (an interactive card, ...) as the vendor's message
// plus "timestamp" and "sign" (feishu_sign.hpp) with a secret. The request
// must stay under 20 KB: the text is fitted to 18000 bytes as `overflow` says.
// Recipients: "" (no mention), "all", or an open_id "ou_..." (mentioned with
// <at user_id="...">). The reply's code (or StatusCode) decides the outcome.
#include <nlohmann/json.hpp>

#include "channels/feishu_sign.hpp"
#include "channels/message_limits.hpp"
#include "channels/message_parts.hpp"
#include "channels/send_settings.hpp"
#include "channels/settings.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::feishu_bot {

using providers::feishu_bot::keys;

namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://open.feishu.cn";
constexpr size_t kTextBytes = 18000;      // leaves room for the JSON around it
constexpr size_t kBodyBytes = 20 * 1024;  // the bot's limit on a request body
constexpr Millis kFrequencyWait = 60 * 1000;

const VendorCode kCodes[] = {
    {"9499", CodeClass::permanent},   // bad request: malformed or too large
    {"11232", CodeClass::retryable},  // frequency limited
    {"19021", CodeClass::permanent},  // sign mismatch or timestamp over an hour off
    {"19022", CodeClass::permanent},  // caller IP not allowed
    {"19024", CodeClass::permanent},  // the bot's keywords are not in the message
};

enum class Kind { text, post };

struct BotSettings {
    std::string url;
    std::string secret;  // "" when the bot does not check signatures
    Kind kind = Kind::text;
    SendSettings send;
};

bool token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

Expected<BotSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    BotSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    auto token = s->secret("token", true);
    if (!token) return token.error();
    if (token->find("://") != std::string::npos)
        return s->error("token",
                        "'token' must be the last part of the webhook URL (after "
                        "'/hook/'), not the URL itself");
    for (char c : *token)
        if (!token_char(c))
            return s->error("token", "'token' may hold only letters, digits, '-' and '_'");
    out.url = join_url(*endpoint, "/open-apis/bot/v2/hook/" + *token);
    auto secret = s->secret("secret", false);
    if (!secret) return secret.error();
    out.secret = *secret;
    auto msgtype = s->choice("msgtype", {"text", "post"});
    if (!msgtype) return msgtype.error();
    out.kind = *msgtype == "post" ? Kind::post : Kind::text;
    auto send = read_send_settings(*s, default_timeout);
    if (!send) return send.error();
    out.send = *send;
    return out;
}

// The user_id to mention ("all", "ou_...") or "" for none.
Expected<std::string> mention_for(const std::string& to) {
    if (to.empty() || to == "all") return to;
    bool ok = util::starts_with(to, "ou_") && to.size() > 3;
    for (char c : to) ok = ok && token_char(c);
    if (!ok)
        return make_error(ErrorKind::invalid, "invalid_recipient",
                          "recipient '" + to + "' is not \"all\" or an open_id (\"ou_...\")");
    return to;
}

std::string at_tag(const std::string& id) {
    if (id.empty()) return {};
    return "<at user_id=\"" + id + "\">" +
           (id == "all" ? "\xE6\x89\x80\xE6\x9C\x89\xE4\xBA\xBA" : "") +
           "</at> ";  // 所有人 ("everyone"), as the bot shows it
}

// The messages of one attempt (signed when sent), and what the attempt records.
struct Sequence {
    std::vector<json> messages;
    std::string detail;
};

Expected<Sequence> from_payload(const wire::Job& job, const std::string& mention) {
    auto j = util::json_or_discarded(job.payload);
    if (j.is_discarded() || !j.is_object() || !j.contains("msg_type") || !j["msg_type"].is_string())
        return make_error(ErrorKind::invalid, "invalid_payload",
                          "the template's payload is not a Feishu message (a JSON object with "
                          "\"msg_type\")");
    Sequence seq;
    std::string type = j["msg_type"].get<std::string>();
    if (!mention.empty()) {
        json* text = nullptr;
        if (type == "text" && j.contains("content") && j["content"].is_object() &&
            j["content"].contains("text") && j["content"]["text"].is_string())
            text = &j["content"]["text"];
        if (text)
            *text = at_tag(mention) + text->get<std::string>();
        else
            add_detail(seq.detail, "mention_dropped=" + type);
    }
    seq.messages.push_back(std::move(j));
    return seq;
}

json post_message(const std::string& title, const std::string& text, const std::string& mention) {
    json lines = json::array();
    // A part cut after a line end would otherwise end with an empty line.
    std::string_view body = text;
    if (body.size() > 1 && body.back() == '\n') body.remove_suffix(1);
    for (const auto& line : util::split(body, '\n')) {
        json row = json::array();
        if (lines.empty() && !mention.empty()) row.push_back({{"tag", "at"}, {"user_id", mention}});
        row.push_back({{"tag", "text"}, {"text", line}});
        lines.push_back(std::move(row));
    }
    return {{"msg_type", "post"},
            {"content", {{"post", {{"zh_cn", {{"title", title}, {"content", lines}}}}}}}};
}

Expected<Sequence> build(const BotSettings& settings, const wire::Job& job) {
    auto mention = mention_for(job.to);
    if (!mention) return mention.error();
    if (!job.payload.empty()) return from_payload(job, *mention);
    std::string text;
    if (settings.kind == Kind::post)
        text = job.body;
    else
        text = at_tag(*mention) + (job.subject.empty() ? job.body
                                   : job.body.empty()  ? job.subject
                                                       : job.subject + "\n" + job.body);
    auto fitted = fit_text(text, TextLimit{kTextBytes, LengthUnit::bytes, settings.send.overflow});
    if (!fitted) return fitted.error();
    Sequence seq;
    seq.detail = fitted->detail;
    for (size_t i = 0; i < fitted->parts.size(); ++i) {
        if (settings.kind == Kind::post)
            seq.messages.push_back(
                post_message(job.subject, fitted->parts[i], i == 0 ? *mention : std::string()));
        else
            seq.messages.push_back(
                {{"msg_type", "text"}, {"content", {{"text", fitted->parts[i]}}}});
    }
    return seq;
}

// The integer field `a`, else `b`, of a reply.
std::optional<long long> integer_of(const json& j, const char* a, const char* b) {
    for (const char* key : {a, b})
        if (auto it = j.find(key); it != j.end() && it->is_number_integer())
            return it->get<long long>();
    return std::nullopt;
}

std::string string_of(const json& j, const char* a, const char* b) {
    for (const char* key : {a, b})
        if (auto it = j.find(key); it != j.end() && it->is_string()) return it->get<std::string>();
    return {};
}

// The outcome a reply gives: its code when it has one, else its HTTP status.
Attempt read_reply(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    std::optional<long long> number;
    if (!j.is_discarded() && j.is_object()) number = integer_of(j, "code", "StatusCode");
    if (number) {
        std::string code = std::to_string(*number);
        if (*number == 0) return Attempt::sent("", code);
        return code_failure(kCodes, code, vendor_message(string_of(j, "msg", "StatusMessage")),
                            reply, code == "11232" ? kFrequencyWait : 0);
    }
    return without_code(reply, "code");
}

class BotAdapter : public Adapter {
  public:
    explicit BotAdapter(BotSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        auto seq = build(settings_, job);
        if (!seq) return Attempt::permanent(seq.error().code, seq.error().message);
        MessageParts parts;
        parts.count = seq->messages.size();
        parts.detail = seq->detail;
        parts.timeout = settings_.send.timeout;
        parts.request = [this, messages = std::move(seq->messages)](size_t i) {
            return request(messages[i]);
        };
        parts.read = read_reply;
        return send_parts(std::move(parts));
    }

  private:
    // The request of `message`, signed now when the bot checks signatures.
    Expected<HttpRequest> request(json message) const {
        if (!settings_.secret.empty()) {
            const long long now = util::now_ms() / 1000;
            message["timestamp"] = std::to_string(now);
            message["sign"] = feishu_sign(settings_.secret, now);
        }
        std::string body = message.dump(-1, ' ', false, json::error_handler_t::replace);
        if (body.size() > kBodyBytes)
            return make_error(ErrorKind::invalid, "too_long",
                              "the request is " + std::to_string(body.size()) +
                                  " bytes, over the bot's limit of " + std::to_string(kBodyBytes));
        return HttpRequest{
            "POST", settings_.url, {"Content-Type: application/json"}, std::move(body)};
    }

    BotSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<BotAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::feishu_bot
