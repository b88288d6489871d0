// api_otp.cpp - one-time codes (one_time_code.hpp), with an API key of scope send:
//
//   POST /v1/otp          {"to","channel","template"?,"ttl"?,"length"?,"locale"?,
//                         "data"?}
//                         makes a code, keeps its MAC (otp_store.hpp) and sends it
//                         at high priority in category "one-time-code" through
//                         the template (otp.template), expiring with it: 202
//                         {"id","to","channel","expires_at","length"}
//   POST /v1/otp/verify   {"to","code"}: 200 {"result","attempts_left"}, result
//                         valid (once), invalid, expired or locked; 404
//                         "no_code" when no code was sent to `to` (by this API
//                         key: only an admin key or the local socket checks
//                         another key's codes)
//
// The send is a notification like any other (POST /v1/notifications does the
// checks), with the code's marker where the code goes and the code sealed in
// its data. Its MAC is kept in the same transaction as the notification, and a
// verify is checked in one too: both ride the writer's group commit, so a code
// costs no commit of its own. An email recipient is kept in lower case. A
// recipient gets a code at most every otp.resend_after and otp.hourly_sends an
// hour (a code still on its way to the store counts); an API key at most
// otp.key_rate: else 429 "too_many_codes" with Retry-After. Inbox channels are
// refused (an item is kept in the store as it was delivered), and so are
// channels with a group chat's robot among their providers.
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "directory_routes.hpp"
#include "door.hpp"
#include "one_time_code.hpp"
#include "provider_type.hpp"
#include "store/otp_store.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr Millis kMinTtl = 10'000;
constexpr Millis kMaxTtl = 3'600'000;
constexpr std::size_t kMaxCode = 16;
constexpr Millis kPruneEvery = 3'600'000;

using directory::invalid;

// The body, a JSON object of the `known` fields alone.
Expected<json> body_of(const Request& req, const std::vector<std::string>& known) {
    auto body = directory::body_object(req);
    if (!body) return body.error();
    if (auto st = directory::known_fields(*body, known); !st) return st.error();
    return body;
}

Expected<std::string> text_field(const json& body, const char* name, bool required) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        if (required)
            return invalid("missing_field", std::string("'") + name + "' is required", name);
        return std::string();
    }
    if (!it->is_string() || it->get<std::string>().empty())
        return invalid("invalid_field", std::string("'") + name + "' must be a non-empty string",
                       name);
    return it->get<std::string>();
}

// Whether any provider of `channel` posts to a group chat (a robot's), whose
// members would all read the code.
bool reaches_a_group(const Config& config, const std::string& channel) {
    const ChannelConfig* ch = config.channel(channel);
    if (!ch) return false;
    for (const auto& name : ch->providers)
        if (const ProviderConfig* p = config.provider(name))
            if (const ProviderType* t = find_provider_type(p->type); t && t->group_chat)
                return true;
    return false;
}

// The recipient a code is kept under: an email address in lower case, so
// that Ana@Example.com verifies what ana@example.com was sent.
std::string code_owner(const std::string& to) {
    if (util::starts_with(to, "user:") || to.find('@') == std::string::npos) return to;
    return util::to_lower(to);
}

Error too_many(const std::string& message) {
    return make_error(ErrorKind::temporary, "too_many_codes", message, "to");
}

}  // namespace

void Api::otp_request(const Request& req, const std::vector<std::string>& parts,
                      const Principal& who, Reply done) {
    if (parts.size() == 1) return send_code(req, who, std::move(done));
    if (parts.size() == 2 && parts[1] == "verify") return verify_code(req, who, std::move(done));
    fail(done, make_error(ErrorKind::not_found, "not_found",
                          "no such route '" + log::clip(req.path) + "'"));
}

Expected<std::string> Api::otp_key() {
    if (otp_secret_.empty()) {
        auto secret = otp_secret(config_, reads_);
        if (!secret) return secret.error();
        otp_secret_ = *secret;
    }
    return otp_secret_;
}

store::OtpStore& Api::otp_codes() {
    if (!otp_codes_) otp_codes_ = std::make_unique<store::OtpStore>(reads_.handle());
    return *otp_codes_;
}

void Api::send_code(const Request& req, const Principal& who, Reply done) {
    auto body = body_of(req, {"to", "channel", "template", "ttl", "length", "locale", "data"});
    if (!body) return fail(done, body.error());
    auto to = text_field(*body, "to", true);
    if (!to) return fail(done, to.error());
    auto channel = text_field(*body, "channel", true);
    if (!channel) return fail(done, channel.error());
    auto template_name = text_field(*body, "template", false);
    if (!template_name) return fail(done, template_name.error());
    if (template_name->empty()) *template_name = config_.otp.template_name;
    Millis ttl = config_.otp.ttl;
    if (auto t = text_field(*body, "ttl", false); !t) {
        return fail(done, t.error());
    } else if (!t->empty()) {
        auto d = util::parse_duration(*t);
        if (!d || *d < kMinTtl || *d > kMaxTtl)
            return fail(done,
                        invalid("invalid_ttl", "'ttl' must be a duration from 10s to 1h", "ttl"));
        ttl = *d;
    }
    long length = config_.otp.length;
    if (auto it = body->find("length"); it != body->end()) {
        if (!it->is_number_integer() || it->get<long>() < 4 || it->get<long>() > 10)
            return fail(
                done, invalid("invalid_length", "'length' must be from 4 to 10 digits", "length"));
        length = it->get<long>();
    }
    json data = json::object();
    if (auto it = body->find("data"); it != body->end() && !it->is_null()) {
        if (!it->is_object())
            return fail(done, invalid("invalid_data", "'data' must be an object", "data"));
        data = *it;
        for (const char* own : {"code", "minutes", kSealedField})
            if (data.contains(own))
                return fail(done, invalid("invalid_data",
                                          std::string("'data.") + own + "' is filled in by notify",
                                          std::string("data.") + own));
    }
    if (util::starts_with(*to, "group:"))
        return fail(done, invalid("invalid_recipient",
                                  "a one-time code goes to one recipient: an address or user:ID, "
                                  "not a group",
                                  "to"));
    if (reaches_a_group(config_, *channel))
        return fail(done, invalid("otp_not_for_group_chat",
                                  "channel '" + *channel +
                                      "' posts to a group chat, whose members would all read the "
                                      "code; send codes over SMS, email or a channel to one person",
                                  "channel"));
    if (config_.channel_type(*channel) == "inbox")
        return fail(done, invalid("otp_not_for_inbox",
                                  "channel '" + *channel +
                                      "' is an inbox, which keeps what it delivers in the store; "
                                      "send codes over SMS, email or another channel",
                                  "channel"));

    const Millis now = util::now_ms();
    if (auto wait = otp_keys_.admit(who.id, now))
        return refuse(done, LimitRefusal{too_many("API key '" + who.name +
                                                  "' has sent as many codes as otp.key_rate "
                                                  "allows; try again shortly"),
                                         *wait});
    auto secret = otp_key();
    if (!secret) return fail(done, secret.error());
    const std::string owner = code_owner(*to);
    const store::OtpLimits limits{config_.otp.resend_after, config_.otp.hourly_sends};
    try {
        Millis wait = otp_sending_.count(owner) ? limits.resend_after
                                                : otp_codes().wait_for(owner, now, limits);
        if (wait > 0)
            return refuse(done, LimitRefusal{too_many("'" + log::clip(*to) +
                                                      "' was sent a code a moment ago; a new one "
                                                      "may go in " +
                                                      std::to_string((wait + 999) / 1000) + " s"),
                                             (wait + 999) / 1000});
    } catch (const store::StoreFailure& f) {
        return fail(done, store::to_error(f));
    }

    const std::string code = generate_code(static_cast<int>(length));
    auto sealed = seal_code(*secret, code);
    if (!sealed) return fail(done, sealed.error());
    data["code"] = kCodeMarker;
    data["minutes"] = (ttl + 59'999) / 60'000;
    data[kSealedField] = *sealed;
    json notification = {{"channel", *channel},        {"to", *to},
                         {"template", *template_name}, {"priority", "high"},
                         {"category", kCodeCategory},  {"expires_in", util::format_duration(ttl)},
                         {"data", std::move(data)}};
    if (auto locale = body->find("locale"); locale != body->end()) notification["locale"] = *locale;
    Request send = req;
    send.path = "/v1/notifications";
    send.body = notification.dump();
    const store::OtpCode kept{owner,     code_mac(*secret, owner, code), *channel, who.id, now,
                              now + ttl, config_.otp.max_attempts};
    const bool prune = now >= next_otp_prune_;
    if (prune) next_otp_prune_ = now + kPruneEvery;
    auto keep = [kept, prune](store::Store& s) {
        store::OtpStore& codes = s.one_time_codes();
        codes.issue(kept);
        if (prune) codes.prune(kept.created_at);
    };
    otp_sending_.insert(owner);  // taken out by the answer, or below on a throw
    const std::string answer_to = *to;
    try {
        post_notification(
            send, who,
            [this, owner, answer_to, channel = *channel, expires_at = kept.expires_at, length,
             done](Response r) {
                otp_sending_.erase(owner);
                if (r.status != 202) return done(std::move(r));
                guarded(done, [&] {
                    const json accepted = util::json_or_discarded(r.body);
                    done(json_response(202, {{"id", accepted.value("id", "")},
                                             {"to", answer_to},
                                             {"channel", channel},
                                             {"expires_at", util::format_rfc3339(expires_at)},
                                             {"length", length}}));
                });
            },
            std::move(keep));
    } catch (...) {
        otp_sending_.erase(owner);  // no answer will come to take it out
        throw;
    }
}

void Api::verify_code(const Request& req, const Principal& who, Reply done) {
    auto body = body_of(req, {"to", "code"});
    if (!body) return fail(done, body.error());
    auto to = text_field(*body, "to", true);
    if (!to) return fail(done, to.error());
    auto code = text_field(*body, "code", true);
    if (!code) return fail(done, code.error());
    if (code->size() > kMaxCode || !util::all_digits(*code))
        return fail(done, invalid("invalid_code", "'code' must be 1 to 16 digits", "code"));
    auto secret = otp_key();
    if (!secret) return fail(done, secret.error());
    const std::string owner = code_owner(*to);
    // A key checks the codes it sent; an administrator (and the local socket) any.
    std::optional<std::string> sent_by;
    if (who.scope != Scope::admin) sent_by = who.id;
    auto check = std::make_shared<std::optional<store::OtpCheck>>();
    Submission sub;
    sub.also = [check, owner, mac = code_mac(*secret, owner, *code), sent_by](store::Store& s) {
        *check = s.one_time_codes().verify(owner, mac, util::now_ms(), sent_by);
    };
    sub.done = [this, check, answer_to = *to, done = std::move(done)](CommitResult result) {
        guarded(done, [&] {
            if (!result.status) return fail(done, result.status.error());
            if (!*check)
                return fail(
                    done, make_error(ErrorKind::not_found, "no_code",
                                     "no one-time code was sent to '" + log::clip(answer_to) + "'",
                                     "to"));
            done(json_response(200, {{"result", store::to_string((*check)->result)},
                                     {"attempts_left", (*check)->attempts_left}}));
        });
    };
    committer_.submit(std::move(sub));
}

}  // namespace notify::ingest
