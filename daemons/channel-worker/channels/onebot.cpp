// onebot.cpp - the `onebot` adapter: QQ messages through a OneBot v11 HTTP API
// (go-cqhttp, NapCat, LLOneBot, Lagrange and other self-hosted bridges).
//
// Keys: endpoint (required, the bridge's HTTP API, e.g. http://127.0.0.1:5700),
// access_token (optional secret, sent as "Authorization: Bearer ..."),
// auto_escape (default true: the text goes out as plain text, CQ codes are not
// interpreted), timeout.
//
// Recipients: "NUMBER" is a private message (POST /send_private_msg with
// user_id), "group/NUMBER" a group message (POST /send_group_msg with group_id).
// The message is the subject, a newline and the body; a job's payload is the
// message instead (a JSON array of segments) or the request's fields (a JSON
// object with "message"). Outcomes: HTTP 400/401/403/404/406 are permanent;
// status "ok" and "async" are sent; "failed" is retryable unless retcode 100
// (invalid parameters); the code is "retcode:N".
#include <optional>

#include <nlohmann/json.hpp>

#include "channels/outcome.hpp"
#include "channels/settings.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::onebot {

using providers::onebot::keys;

namespace {

using nlohmann::json;

struct OnebotSettings {
    std::string endpoint;
    std::string access_token;
    bool auto_escape = true;
    Millis timeout = 0;
};

// retcodes that mean the request itself is wrong (go-cqhttp and NapCat).
constexpr VendorCode kFailedCodes[] = {
    {"retcode:100", CodeClass::permanent},
};

Expected<OnebotSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    OnebotSettings out;
    auto endpoint = s->url("endpoint", {"http", "https"});
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto token = s->secret("access_token", false);
    if (!token) return token.error();
    if (token->find_first_of("\r\n") != std::string::npos)
        return s->error("access_token", "'access_token' must be one line");
    out.access_token = *token;
    auto escape = s->boolean("auto_escape", true);
    if (!escape) return escape.error();
    out.auto_escape = *escape;
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

// A QQ number or group number: digits, more than zero, within int64.
bool parse_number(std::string_view text, long long& out) {
    if (text.empty() || text.size() > 18) return false;
    long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return v > 0;
}

struct Target {
    const char* action;  // "/send_private_msg" or "/send_group_msg"
    const char* field;   // "user_id" or "group_id"
    long long id = 0;
};

std::optional<Target> parse_recipient(const std::string& to) {
    long long id = 0;
    if (util::starts_with(to, "group/")) {
        if (!parse_number(std::string_view(to).substr(6), id)) return std::nullopt;
        return Target{"/send_group_msg", "group_id", id};
    }
    if (!parse_number(to, id)) return std::nullopt;
    return Target{"/send_private_msg", "user_id", id};
}

std::string json_text(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What a 200 reply says: {"status":"ok|async|failed","retcode":N,"data":{...},...}.
Attempt read_reply(const HttpReply& reply) {
    auto j = util::json_or_discarded(reply.body);
    if (j.is_discarded() || !j.is_object() || !j.contains("status"))
        return Attempt::retryable("invalid_reply", "the reply is not a OneBot response: " +
                                                       vendor_message(log::clip(reply.body, 200)));
    long long retcode = -1;
    if (auto it = j.find("retcode"); it != j.end() && it->is_number_integer())
        retcode = it->get<long long>();
    const std::string code = "retcode:" + std::to_string(retcode);
    const std::string status = json_text(j, "status");
    if (status == "ok") {
        std::string id;
        if (auto data = j.find("data"); data != j.end() && data->is_object())
            if (auto m = data->find("message_id"); m != data->end() && !m->is_null())
                id = m->is_string() ? m->get<std::string>() : m->dump();
        return Attempt::sent(id, code);
    }
    if (status == "async") return Attempt::sent({}, "async");
    // go-cqhttp puts the reason in "msg" and "wording", NapCat in "message" and "wording".
    std::string why = json_text(j, "wording");
    for (const char* key : {"message", "msg"})
        if (why.empty()) why = json_text(j, key);
    if (why.empty()) why = "status '" + status + "'";
    return vendor_failure(classify_code(kFailedCodes, code, CodeClass::retryable), code,
                          vendor_message(why));
}

Attempt classify_status(const HttpReply& reply) {
    const std::string code = std::to_string(reply.status);
    auto fail = [&](const std::string& why) {
        std::string detail = vendor_message(log::clip(reply.body, 200));
        return Attempt::permanent(code, why + (detail.empty() ? "" : ": " + detail));
    };
    switch (reply.status) {
        case 401:
            return fail("the bridge wants an access token (see 'access_token')");
        case 403:
            return fail("the bridge refused the access token");
        case 404:
            return fail("the bridge does not know the action");
        case 406:
            return fail("the bridge refused the content type");
        case 400:
            return fail("the bridge could not read the request");
        default:
            return classify_http(reply.status, reply.body, reply.retry_after, util::now_ms());
    }
}

class OnebotAdapter : public Adapter {
  public:
    explicit OnebotAdapter(OnebotSettings settings) : settings_(std::move(settings)) {}

    Started start(const wire::Job& job) override {
        auto target = parse_recipient(job.to);
        if (!target)
            return Attempt::permanent(
                "invalid_recipient",
                "onebot recipient must be a QQ number or 'group/NUMBER', not '" + job.to + "'");
        json body = json::object();
        if (!job.payload.empty()) {
            auto payload = util::json_or_discarded(job.payload);
            if (payload.is_array()) {
                body["message"] = payload;
            } else if (payload.is_object() && payload.contains("message")) {
                body = payload;
            } else {
                return Attempt::permanent("invalid_payload",
                                          "the template's payload must be a JSON array of "
                                          "message segments or an object with 'message'");
            }
        } else {
            std::string text = job.subject.empty() ? job.body : job.subject + "\n" + job.body;
            if (util::trim(text).empty())
                return Attempt::permanent("empty_message", "the message has no text");
            body["message"] = text;
        }
        body.erase("user_id");
        body.erase("group_id");
        body.erase("message_type");
        body[target->field] = target->id;
        if (body["message"].is_string() && !body.contains("auto_escape"))
            body["auto_escape"] = settings_.auto_escape;

        HttpRequest request{"POST",
                            join_url(settings_.endpoint, target->action),
                            {"Content-Type: application/json"},
                            body.dump(-1, ' ', false, json::error_handler_t::replace)};
        if (!settings_.access_token.empty())
            request.headers.push_back("Authorization: Bearer " + settings_.access_token);
        return http_call(settings_.timeout, std::move(request),
                         [](const HttpReply& reply) -> Started {
                             if (reply.status != 200) return classify_status(reply);
                             return read_reply(reply);
                         });
    }

  private:
    OnebotSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<OnebotAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::onebot
