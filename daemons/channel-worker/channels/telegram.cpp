// telegram.cpp - the `telegram` adapter: sendMessage of the Telegram Bot API.
//
// Keys: endpoint (default https://api.telegram.org), bot_token (required,
// secret, "123456:ABC..."), chat_id (the chat when a delivery names none),
// parse_mode ("" plain text, "MarkdownV2" or "HTML"), disable_notification
// (default false), overflow (text over 4096 UTF-16 code units, as Telegram
// counts: an emoji outside the BMP is 2; "split", "truncate" or "reject"), timeout.
//
// POST {endpoint}/bot{token}/sendMessage with JSON {"chat_id", "text", ...};
// an integer chat id goes as a JSON number, "@channel" as a string. The text is
// the subject, a newline and the body; a split text is sent as consecutive
// messages of one attempt, whose message id is the first one's. A job's payload
// (a JSON object with "text" and e.g. "reply_markup") is the request instead,
// with chat_id set by the adapter.
//
// Replies: ok true is sent (result.message_id); error_code 429 is retryable after
// parameters.retry_after seconds; 5xx retryable; others permanent. The code is
// the error_code, the message Telegram's description.
#include <charconv>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "channels/message_limits.hpp"
#include "channels/message_parts.hpp"
#include "channels/outcome.hpp"
#include "channels/send_settings.hpp"
#include "channels/settings.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::telegram {

using providers::telegram::keys;

namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://api.telegram.org";
constexpr size_t kMaxText = 4096;  // UTF-16 code units

struct TelegramSettings {
    std::string endpoint;
    std::string bot_token;
    std::string chat_id;
    std::string parse_mode;
    bool disable_notification = false;
    SendSettings send;
};

// "123456789:AAH..." : the bot's id, a colon, letters, digits, '_' and '-'.
bool is_bot_token(std::string_view token) {
    size_t colon = token.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon + 1 == token.size()) return false;
    for (size_t i = 0; i < token.size(); ++i) {
        char c = token[i];
        if (i < colon) {
            if (c < '0' || c > '9') return false;
        } else if (i > colon && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                  (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

// A chat id as JSON: an integer (may be negative) as a number, "@username" (5 to
// 32 letters, digits and '_') as a string.
std::optional<json> chat_value(const std::string& id) {
    if (!id.empty() && id[0] == '@') {
        if (id.size() < 6 || id.size() > 33) return std::nullopt;  // names are 5-32 long
        for (char c : std::string_view(id).substr(1))
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_'))
                return std::nullopt;
        return json(id);
    }
    long long v = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
    if (id.empty() || ec != std::errc() || end != id.data() + id.size() || v == 0 || id[0] == '+')
        return std::nullopt;
    return json(v);
}

Expected<TelegramSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    TelegramSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto token = s->secret("bot_token", true);
    if (!token) return token.error();
    if (!is_bot_token(*token))
        return s->error("bot_token",
                        "'bot_token' is not a bot token (\"123456789:ABC...\" from @BotFather)");
    out.bot_token = *token;
    if (s->has("chat_id")) {
        auto text = s->text("chat_id", false);
        auto number = s->integer("chat_id", false);
        if (text)
            out.chat_id = *text;
        else if (number)
            out.chat_id = std::to_string(*number);
        if (!chat_value(out.chat_id))
            return s->error("chat_id",
                            "'chat_id' must be a chat id (an integer such as "
                            "-1001234567890) or \"@channelname\", not '" +
                                out.chat_id + "'");
    }
    auto mode = s->text("parse_mode", false);
    if (!mode) return mode.error();
    const std::vector<std::string> modes = {"MarkdownV2", "HTML"};
    if (!mode->empty() && *mode != modes[0] && *mode != modes[1])
        return s->error("parse_mode",
                        "'parse_mode' must be \"\", \"MarkdownV2\" or \"HTML\", not '" + *mode +
                            "'" + util::did_you_mean(*mode, modes));
    out.parse_mode = *mode;
    auto quiet = s->boolean("disable_notification", false);
    if (!quiet) return quiet.error();
    out.disable_notification = *quiet;
    auto send = read_send_settings(*s, default_timeout);
    if (!send) return send.error();
    out.send = *send;
    return out;
}

Attempt read_reply(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    if (j.is_discarded() || !j.is_object() || !j.contains("ok"))
        return classify_http(reply.status, reply.body, reply.retry_after, util::now_ms());
    if (j["ok"] == true) {
        std::string id;
        if (auto r = j.find("result"); r != j.end() && r->is_object())
            if (auto m = r->find("message_id"); m != r->end() && !m->is_null())
                id = m->is_string() ? m->get<std::string>() : m->dump();
        return Attempt::sent(id, std::to_string(reply.status));
    }
    long long error_code = reply.status;
    if (auto e = j.find("error_code"); e != j.end() && e->is_number_integer())
        error_code = e->get<long long>();
    std::string message = "error " + std::to_string(error_code);
    if (auto d = j.find("description"); d != j.end() && d->is_string())
        message = vendor_message(d->get<std::string>());
    Millis wait = parse_retry_after(reply.retry_after, util::now_ms());
    if (auto p = j.find("parameters"); p != j.end() && p->is_object()) {
        if (auto r = p->find("retry_after"); r != p->end() && r->is_number_integer())
            wait = r->get<long long>() * 1000;
        if (auto m = p->find("migrate_to_chat_id"); m != p->end() && m->is_number_integer())
            message += " (the group is now chat " + m->dump() + ")";
    }
    const std::string code = std::to_string(error_code);
    if (error_code == 429 || (error_code >= 500 && error_code < 600))
        return Attempt::retryable(code, message, wait);
    return Attempt::permanent(code, message);
}

class TelegramAdapter : public Adapter {
  public:
    explicit TelegramAdapter(TelegramSettings settings)
        : settings_(std::move(settings)),
          url_(join_url(settings_.endpoint, "/bot" + settings_.bot_token + "/sendMessage")) {}

    Started start(const wire::Job& job) override {
        const std::string& to = job.to.empty() ? settings_.chat_id : job.to;
        if (to.empty())
            return Attempt::permanent(
                "missing_recipient",
                "the delivery names no chat and the provider has no 'chat_id'");
        auto chat = chat_value(to);
        if (!chat)
            return Attempt::permanent("invalid_recipient",
                                      "telegram recipient must be a chat id (an integer) or "
                                      "'@channelname', not '" +
                                          to + "'");
        auto with_options = [&](json body) {
            body["chat_id"] = *chat;
            if (!settings_.parse_mode.empty() && !body.contains("parse_mode"))
                body["parse_mode"] = settings_.parse_mode;
            if (settings_.disable_notification && !body.contains("disable_notification"))
                body["disable_notification"] = true;
            return body.dump(-1, ' ', false, json::error_handler_t::replace);
        };
        if (!job.payload.empty()) {
            auto payload = util::json_or_discarded(job.payload);
            if (payload.is_discarded() || !payload.is_object() || !payload.contains("text"))
                return Attempt::permanent(
                    "invalid_payload", "the template's payload must be a JSON object with 'text'");
            return send({with_options(std::move(payload))}, {});
        }
        std::string text = job.subject.empty() ? job.body : job.subject + "\n" + job.body;
        if (util::trim(text).empty())
            return Attempt::permanent("empty_message", "the message has no text");
        auto fitted =
            fit_text(text, TextLimit{kMaxText, LengthUnit::utf16, settings_.send.overflow});
        if (!fitted) return Attempt::permanent(fitted.error().code, fitted.error().message);
        std::vector<std::string> bodies;
        for (const auto& part : fitted->parts) bodies.push_back(with_options(json{{"text", part}}));
        return send(std::move(bodies), fitted->detail);
    }

  private:
    // Sends each message in turn; the attempt's message id is the first one's.
    Started send(std::vector<std::string> bodies, std::string detail) {
        MessageParts parts =
            posts(url_, {"Content-Type: application/json"}, {std::move(bodies), std::move(detail)});
        parts.timeout = settings_.send.timeout;
        parts.read = read_reply;
        return send_parts(std::move(parts));
    }

    TelegramSettings settings_;
    std::string url_;  // holds the bot token: never logged
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<TelegramAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::telegram
