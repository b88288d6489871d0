// slack.cpp - the `slack` adapter: posts to a Slack incoming webhook.
//
// Keys: url (required, the webhook's full URL, http:// or https://), mrkdwn
// (default true: the subject is bold, Slack formats the text), overflow (text
// over 40 000 characters: "split", "truncate" or "reject"), timeout.
//
// The body is {"text": ..., "mrkdwn": ...}: a mention "<@MEMBER> " when the
// recipient is a member id, the subject on the first line, then the body; "&",
// "<" and ">" of the subject and body are escaped as Slack asks, so the text
// never mentions or links by accident. A job's payload (a JSON object with
// blocks, attachments, text) is posted as it is. A split text is sent as
// consecutive posts of one attempt.
//
// Replies: 2xx sent; 429 and 5xx retryable (Retry-After honoured); other
// statuses permanent. The code is Slack's error word from the body
// ("channel_is_archived", "invalid_payload"), else the HTTP status.
#include <memory>

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

namespace notify::channels::slack {

using providers::slack::keys;

namespace {

using nlohmann::json;

constexpr size_t kMaxText = 40000;    // characters
constexpr size_t kLongestEntity = 5;  // "&amp;"

struct SlackSettings {
    std::string url;
    bool mrkdwn = true;
    SendSettings send;
};

Expected<SlackSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    SlackSettings out;
    auto url = s->url("url", {"http", "https"});
    if (!url) return url.error();
    out.url = *url;
    auto mrkdwn = s->boolean("mrkdwn", true);
    if (!mrkdwn) return mrkdwn.error();
    out.mrkdwn = *mrkdwn;
    auto send = read_send_settings(*s, default_timeout);
    if (!send) return send.error();
    out.send = *send;
    return out;
}

// Slack's three control characters, as its message formatting asks.
std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

// A member id: "U" or "W" and upper-case letters or digits.
bool is_member_id(std::string_view id) {
    if (id.size() < 3 || (id[0] != 'U' && id[0] != 'W')) return false;
    for (char c : id)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    return true;
}

// The length of an entity cut at the end of `part` ("&am"), or 0.
size_t partial_entity(std::string_view part) {
    size_t amp = part.rfind('&');
    if (amp == std::string_view::npos || part.size() - amp >= kLongestEntity) return 0;
    return part.find(';', amp) == std::string_view::npos ? part.size() - amp : 0;
}

// Cuts never leave half an entity: a split moves it to the next part, a
// truncation drops it before the ellipsis.
void mend_entities(FittedText& fitted, Overflow overflow) {
    auto& parts = fitted.parts;
    if (overflow == Overflow::truncate) {
        if (fitted.detail.empty()) return;  // not cut
        const std::string ellipsis = "\xE2\x80\xA6";
        std::string& p = parts.back();
        if (p.size() >= ellipsis.size() && p.ends_with(ellipsis)) {
            std::string_view head(p.data(), p.size() - ellipsis.size());
            p = std::string(head.substr(0, head.size() - partial_entity(head))) + ellipsis;
        }
        return;
    }
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        size_t n = partial_entity(parts[i]);
        if (n == 0) continue;
        parts[i + 1].insert(0, parts[i].substr(parts[i].size() - n));
        parts[i].resize(parts[i].size() - n);
    }
}

bool is_error_word(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

Attempt read_reply(const HttpReply& reply) {
    std::string text = util::trim(reply.body);
    const std::string status = std::to_string(reply.status);
    if (reply.status >= 200 && reply.status < 300)
        return Attempt::sent({}, is_error_word(text) ? text : status);
    std::string code = is_error_word(text) ? text : status;
    std::string message =
        "http status " + status + (text.empty() ? "" : ": " + vendor_message(text));
    if (reply.status == 429 || (reply.status >= 500 && reply.status < 600))
        return Attempt::retryable(code, message,
                                  parse_retry_after(reply.retry_after, util::now_ms()));
    return Attempt::permanent(code, message);
}

class SlackAdapter : public Adapter {
  public:
    explicit SlackAdapter(SlackSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        if (!job.payload.empty()) {
            auto payload = util::json_or_discarded(job.payload);
            if (payload.is_discarded() || !payload.is_object())
                return Attempt::permanent("invalid_payload",
                                          "the template's payload is not a JSON object");
            return post({job.payload}, {});
        }
        std::string mention;
        if (!job.to.empty()) {
            if (!is_member_id(job.to))
                return Attempt::permanent("invalid_recipient",
                                          "slack recipient must be a member id such as "
                                          "'U012AB3CD', not '" +
                                              job.to + "'");
            mention = "<@" + job.to + "> ";
        }
        std::string text;
        if (!job.subject.empty())
            text =
                settings_.mrkdwn ? "*" + escape(job.subject) + "*\n" : escape(job.subject) + "\n";
        text += escape(job.body);
        if (util::trim(text).empty())
            return Attempt::permanent("empty_message", "the message has no text");
        text = mention + text;

        // Room for an entity moved to the next part keeps every part within the limit.
        size_t max =
            settings_.send.overflow == Overflow::split ? kMaxText - (kLongestEntity - 1) : kMaxText;
        if (text_length(text, LengthUnit::characters) <= kMaxText) max = kMaxText;
        auto fitted =
            fit_text(text, TextLimit{max, LengthUnit::characters, settings_.send.overflow});
        if (!fitted) return Attempt::permanent(fitted.error().code, fitted.error().message);
        mend_entities(*fitted, settings_.send.overflow);
        std::vector<std::string> bodies;
        for (const auto& part : fitted->parts)
            bodies.push_back(json{{"text", part}, {"mrkdwn", settings_.mrkdwn}}.dump(
                -1, ' ', false, json::error_handler_t::replace));
        return post(std::move(bodies), fitted->detail);
    }

  private:
    // Posts each body in turn, the next after the previous is accepted.
    Started post(std::vector<std::string> bodies, std::string detail) {
        MessageParts parts = posts(settings_.url, {"Content-Type: application/json"},
                                   {std::move(bodies), std::move(detail)});
        parts.timeout = settings_.send.timeout;
        parts.read = read_reply;
        return send_parts(std::move(parts));
    }

    SlackSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<SlackAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::slack
