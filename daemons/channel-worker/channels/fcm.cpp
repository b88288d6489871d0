// fcm.cpp - the `fcm` adapter: Firebase Cloud Messaging's HTTP v1 API, to
// Android, iOS and web app registration tokens.
//
// Keys: credentials (secret: the service account's JSON key, normally
// "file:/etc/notify/fcm-service-account.json"; its client_email, private_key,
// private_key_id, token_uri and project_id are read), project_id (overrides
// the key's), endpoint (default https://fcm.googleapis.com), ca_file (a CA
// bundle to trust instead of the system's, for the token endpoint and FCM
// alike: a proxy's own CA, a test server), timeout. Over https the sends share
// HTTP/2 connections, many streams each.
//
// The access token comes from the OAuth2 JWT bearer grant (RFC 7523): an
// RS256 JWT of {"iss": client_email, "scope": ".../auth/firebase.messaging",
// "aud": token_uri, "iat", "exp": iat + 1h} posted to token_uri; it is kept for
// every send until shortly before it expires (token_cache.hpp), and fetched
// again when FCM answers 401.
//
// Each send is POST /v1/projects/PROJECT/messages:send with {"message":
// {"token", "notification": {"title", "body"}, "data": the notification's
// data with every value a string, "android": {"priority": "HIGH" for high
// priority else "NORMAL", "ttl": the seconds left before it expires,
// "collapse_key": the data's collapse_id}}}. A template's payload (a JSON
// object) is the message itself; its token is set to the recipient's.
//
// Replies: 200 sent, its name the message id. UNREGISTERED and an
// INVALID_ARGUMENT about the token end the delivery `failed` and remove the
// token from the user's identities; QUOTA_EXCEEDED, UNAVAILABLE and INTERNAL
// retry (Retry-After honoured); SENDER_ID_MISMATCH (another project's token),
// THIRD_PARTY_AUTH_ERROR and 403 are the provider's fault (another provider of
// the channel may take it); other errors are permanent.
#include <memory>

#include <nlohmann/json.hpp>

#include "channels/outcome.hpp"
#include "channels/push_payload.hpp"
#include "channels/settings.hpp"
#include "channels/token_adapter.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "crypto/jwt.hpp"
#include "crypto/rsa_key.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::channels::fcm {

using providers::fcm::keys;

namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://fcm.googleapis.com";
constexpr const char* kDefaultTokenUri = "https://oauth2.googleapis.com/token";
constexpr const char* kScope = "https://www.googleapis.com/auth/firebase.messaging";
constexpr size_t kMaxPayload = 4096;
constexpr long long kGrantSeconds = 3600;

struct FcmSettings {
    std::string endpoint;
    std::string project_id;
    std::string client_email;
    std::string private_key_id;
    std::string token_uri;
    std::string ca_file;
    std::shared_ptr<const crypto::RsaKey> key;
    Millis timeout = 0;
};

Expected<std::string> account_field(const Settings& s, const json& account, const char* name,
                                    const std::string& fallback = {}) {
    auto it = account.find(name);
    if (it == account.end() || it->is_null()) {
        if (!fallback.empty()) return fallback;
        return s.error("credentials",
                       "'credentials': the service account key has no '" + std::string(name) + "'");
    }
    if (!it->is_string() || it->get<std::string>().empty())
        return s.error("credentials", "'credentials': '" + std::string(name) +
                                          "' in the service account key must be a string");
    return it->get<std::string>();
}

Expected<FcmSettings> read_settings(const ProviderConfig& provider, Millis default_timeout) {
    auto s = Settings::parse(provider, keys);
    if (!s) return s.error();
    FcmSettings out;
    auto endpoint = s->endpoint(kDefaultEndpoint);
    if (!endpoint) return endpoint.error();
    out.endpoint = *endpoint;
    auto text = s->secret("credentials", true);
    if (!text) return text.error();
    auto account = util::json_or_discarded(*text);
    if (!account.is_object())
        return s->error("credentials",
                        "'credentials' must be the service account's JSON key (as Firebase "
                        "gives it), for example \"file:/etc/notify/fcm.json\"");
    auto email = account_field(*s, account, "client_email");
    if (!email) return email.error();
    out.client_email = *email;
    auto pem = account_field(*s, account, "private_key");
    if (!pem) return pem.error();
    auto key = crypto::RsaKey::from_pem(*pem);
    if (!key)
        return s->error("credentials", "'credentials': its private_key is not an RSA key in PEM: " +
                                           key.error().message);
    out.key = std::make_shared<const crypto::RsaKey>(std::move(*key));
    if (auto it = account.find("private_key_id"); it != account.end() && it->is_string())
        out.private_key_id = it->get<std::string>();
    auto token_uri = account_field(*s, account, "token_uri", kDefaultTokenUri);
    if (!token_uri) return token_uri.error();
    if (!util::starts_with(*token_uri, "https://") && !util::starts_with(*token_uri, "http://"))
        return s->error("credentials", "'credentials': its token_uri must be an http(s) URL");
    out.token_uri = *token_uri;
    auto project = s->text("project_id", false);
    if (!project) return project.error();
    if (project->empty()) {
        auto from_key = account_field(*s, account, "project_id");
        if (!from_key)
            return s->error("project_id",
                            "'project_id' is missing, and the service account key names none");
        *project = *from_key;
    }
    out.project_id = *project;
    auto ca = s->text("ca_file", false);
    if (!ca) return ca.error();
    out.ca_file = *ca;
    auto timeout = s->duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Keys FCM refuses in `data`, and collapse_id, which is the collapse key.
bool reserved(const std::string& key) {
    return key == "from" || key == "message_type" || key == "collapse_id" ||
           util::starts_with(key, "google") || util::starts_with(key, "gcm");
}

// The notification's data as FCM wants it: every value a string, no reserved key.
json string_data(const wire::Job& job) {
    json out = json::object();
    auto data = util::json_or_discarded(job.data_json);
    if (!data.is_object()) return out;
    for (const auto& [k, v] : data.items())
        if (!reserved(k)) out[k] = v.is_string() ? v.get<std::string>() : dump(v);
    return out;
}

Expected<std::string> message_of(const wire::Job& job, Millis now) {
    json android = {{"priority", job.priority == Priority::high ? "HIGH" : "NORMAL"}};
    if (long long ttl = seconds_left(job, now); ttl >= 0)
        android["ttl"] = std::to_string(ttl) + "s";
    if (std::string collapse = collapse_id_of(job); !collapse.empty())
        android["collapse_key"] = collapse;
    if (!job.payload.empty()) {
        auto message = util::json_or_discarded(job.payload);
        if (message.is_discarded() || !message.is_object())
            return make_error(ErrorKind::invalid, "invalid_payload",
                              "the template's payload must be an FCM message (a JSON object)");
        message["token"] = job.to;
        if (!message.contains("android")) message["android"] = android;
        std::string body = dump(json{{"message", message}});
        if (body.size() > kMaxPayload + 512)
            return make_error(ErrorKind::invalid, "payload_too_large",
                              "the template's payload is over FCM's 4096 bytes");
        return body;
    }
    if (util::trim(job.subject).empty() && util::trim(job.body).empty())
        return make_error(ErrorKind::invalid, "empty_message", "the message has no text");
    json data = string_data(job);
    return fit_payload(job.body, kMaxPayload, [&](std::string_view body) {
        json notification = {{"body", body}};
        if (!job.subject.empty()) notification["title"] = job.subject;
        json message = {{"token", job.to}, {"notification", notification}, {"android", android}};
        if (!data.empty()) message["data"] = data;
        return dump(json{{"message", message}});
    });
}

// FCM's error: its errorCode (details of type FcmError), else its status word,
// and whether it is about the registration token.
struct FcmError {
    std::string code;
    std::string message;
    bool about_token = false;
};

FcmError read_error(const HttpReply& reply) {
    FcmError out;
    out.code = std::to_string(reply.status);
    auto j = util::json_or_discarded(reply.body);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) {
        out.message = vendor_message(reply.body);
        return out;
    }
    const json& e = j["error"];
    if (auto it = e.find("status"); it != e.end() && it->is_string()) out.code = *it;
    if (auto it = e.find("message"); it != e.end() && it->is_string()) out.message = *it;
    if (auto it = e.find("details"); it != e.end() && it->is_array()) {
        for (const auto& d : *it) {
            if (!d.is_object()) continue;
            if (auto c = d.find("errorCode"); c != d.end() && c->is_string()) out.code = *c;
            if (auto v = d.find("fieldViolations"); v != d.end() && v->is_array())
                for (const auto& f : *v)
                    if (f.is_object() && f.value("field", "") == "message.token")
                        out.about_token = true;
        }
    }
    const std::string lower = util::to_lower(out.message);
    if (lower.find("registration token") != std::string::npos) out.about_token = true;
    return out;
}

class FcmAdapter : public TokenAdapter {
  public:
    explicit FcmAdapter(FcmSettings settings)
        : TokenAdapter(settings.timeout), settings_(std::move(settings)) {}

  protected:
    HttpRequest token_request() const override {
        const long long now = util::now_ms() / 1000;
        json header = {{"alg", "RS256"}, {"typ", "JWT"}};
        if (!settings_.private_key_id.empty()) header["kid"] = settings_.private_key_id;
        json claims = {{"iss", settings_.client_email},
                       {"scope", kScope},
                       {"aud", settings_.token_uri},
                       {"iat", now},
                       {"exp", now + kGrantSeconds}};
        auto jwt = crypto::jwt_rs256(header.dump(), claims.dump(), *settings_.key);
        HttpRequest r;
        r.url = settings_.token_uri;
        r.ca_file = settings_.ca_file;
        r.headers = {"Content-Type: application/x-www-form-urlencoded"};
        r.body = form_encode({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                              {"assertion", jwt ? *jwt : std::string()}});
        return r;
    }

    FetchedToken read_token(const HttpReply& reply) const override {
        FetchedToken out;
        auto j = util::json_or_discarded(reply.body);
        if (reply.status == 200 && j.is_object() && j.contains("access_token") &&
            j["access_token"].is_string()) {
            out.token = j["access_token"].get<std::string>();
            long long seconds = 3600;
            if (auto it = j.find("expires_in"); it != j.end() && it->is_number_integer())
                seconds = it->get<long long>();
            out.lifetime = std::max<long long>(seconds, 1) * 1000;
            return out;
        }
        std::string code = std::to_string(reply.status);
        std::string message = "access token: http status " + code;
        if (j.is_object() && j.contains("error") && j["error"].is_string()) {
            code = j["error"].get<std::string>();
            message += ": " + code;
            if (auto it = j.find("error_description"); it != j.end() && it->is_string())
                message += ": " + it->get<std::string>();
        }
        if (reply.status == 429 || reply.status >= 500)
            out.failure = Attempt::retryable(code, message,
                                             parse_retry_after(reply.retry_after, util::now_ms()));
        else
            out.failure = Attempt::provider_refused(code, message);
        return out;
    }

    Started send(const wire::Job& job, const std::string& token, bool may_refresh) override {
        auto body = message_of(job, util::now_ms());
        if (!body) return Attempt::permanent(body.error().code, body.error().message);
        HttpRequest req;
        req.url =
            join_url(settings_.endpoint,
                     "/v1/projects/" + percent_encode(settings_.project_id) + "/messages:send");
        req.http2 = util::starts_with(req.url, "https://");
        req.ca_file = settings_.ca_file;
        req.headers = {"Authorization: Bearer " + token,
                       "Content-Type: application/json; charset=UTF-8"};
        req.body = std::move(*body);
        return http_call(settings_.timeout, std::move(req),
                         [this, job, token, may_refresh](const HttpReply& reply) -> Started {
                             return read_reply(job, token, may_refresh, reply);
                         });
    }

  private:
    Started read_reply(const wire::Job& job, const std::string& token, bool may_refresh,
                       const HttpReply& reply) {
        if (reply.status == 200) {
            auto j = util::json_or_discarded(reply.body);
            std::string name = j.is_object() ? j.value("name", "") : "";
            return Attempt::sent(name, "200");
        }
        FcmError e = read_error(reply);
        std::string message = "http status " + std::to_string(reply.status) +
                              (e.message.empty() ? "" : ": " + e.message);
        if (e.code == "UNREGISTERED" || (e.code == "INVALID_ARGUMENT" && e.about_token))
            return Attempt::gone(e.code, message);
        // The token is another Firebase project's: another provider may take it.
        if (e.code == "SENDER_ID_MISMATCH") return Attempt::provider_refused(e.code, message);
        if (reply.status == 401 && e.code != "THIRD_PARTY_AUTH_ERROR")
            return refused(job, token, Attempt::retryable(e.code, message), may_refresh);
        if (e.code == "THIRD_PARTY_AUTH_ERROR" || reply.status == 401 || reply.status == 403)
            return Attempt::provider_refused(e.code, message);
        if (reply.status == 429 || reply.status >= 500 || e.code == "QUOTA_EXCEEDED" ||
            e.code == "UNAVAILABLE" || e.code == "INTERNAL")
            return Attempt::retryable(e.code, message,
                                      parse_retry_after(reply.retry_after, util::now_ms()));
        return Attempt::permanent(e.code, message);
    }

    FcmSettings settings_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider,
                                        const AdapterOptions& options) {
    return adapter_from<FcmAdapter>(read_settings(provider, options.default_timeout));
}

Status validate(const ProviderConfig& provider) {
    return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
}

}  // namespace notify::channels::fcm
