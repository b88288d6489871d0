// personalize.cpp - per-user rendering and unsubscribe links; see personalize.hpp.
#include "personalize.hpp"

#include <nlohmann/json.hpp>

#include "one_time_code.hpp"
#include "provider_type.hpp"
#include "rendering/stored_templates.hpp"
#include "tracked_html.hpp"
#include "tracking_link.hpp"
#include "unsubscribe_link.hpp"
#include "util/bounded_map.hpp"
#include "util/id.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"

namespace notify::router {

namespace {

// A user record is read again after this long, so directory changes show soon.
constexpr Millis kUserTtl = 30'000;
constexpr std::size_t kMaxUsers = 20000;
constexpr std::size_t kMaxNotifications = 256;

}  // namespace

struct Personalizer::State {
    explicit State(rendering::StoredTemplates& t) : templates(t) {}

    rendering::StoredTemplates& templates;
    struct CachedUser {
        std::optional<store::User> user;
        Millis loaded_at = 0;
    };
    util::BoundedMap<CachedUser> users{kMaxUsers};
    // Each notification's data, parsed once; "user" is replaced per delivery.
    util::BoundedMap<nlohmann::json> data{kMaxNotifications};
    std::string secret;           // "" when links cannot be signed
    std::string tracking_secret;  // "" when nothing is tracked
    std::string otp_secret;       // "" when one-time codes cannot be opened
};

Personalizer::Personalizer(const Config& config, store::Store& store,
                           store::DirectoryStore& directory, rendering::StoredTemplates& templates)
    : config_(config), directory_(directory), state_(std::make_unique<State>(templates)) {
    if (config.tracking.opens || config.tracking.clicks) {
        auto secret = tracking_secret(config, store);
        if (secret)
            state_->tracking_secret = *secret;
        else
            NLOG(warning, "", "email is not tracked: " << secret.error().message);
    }
    if (auto otp = otp_secret(config, store))
        state_->otp_secret = *otp;
    else
        NLOG(warning, "", "one-time codes cannot be sent: " << otp.error().message);
    if (config.preferences.unsubscribe_url.empty()) return;
    auto secret = unsubscribe_secret(config, store);
    if (secret)
        state_->secret = *secret;
    else
        NLOG(warning, "", "jobs carry no unsubscribe links: " << secret.error().message);
}

Personalizer::~Personalizer() = default;

Status Personalizer::personalize(wire::Job& job, Millis now) {
    add_unsubscribe_link(job);
    auto code = open_code(job);
    if (!code) return code.error();
    if (auto rendered = render_for_user(job, now); !rendered) return rendered;
    if (!code->empty())
        for (std::string* text : {&job.subject, &job.body, &job.html, &job.payload})
            fill_code(*text, *code);
    // A code is not put into tracked links (their tokens are signed, not
    // encrypted) nor counted as opened.
    if (code->empty() && !state_->tracking_secret.empty() && !job.html.empty() &&
        address_kind(config_.channel_type(job.channel)) == AddressKind::email)
        track(job);
    return ok();
}

Expected<std::string> Personalizer::open_code(wire::Job& job) const {
    if (job.data_json.find(kSealedField) == std::string::npos) return std::string();
    auto data = util::json_or_discarded(job.data_json);
    auto sealed = data.is_object() ? data.find(kSealedField) : data.end();
    if (!data.is_object() || sealed == data.end()) return std::string();
    // Opened only for what POST /v1/otp sends: a code of its category, on a
    // channel that keeps nothing it delivers. Anything else goes without it.
    if (!sealed->is_string() || job.category != kCodeCategory ||
        config_.channel_type(job.channel) == "inbox") {
        data.erase(sealed);
        job.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return std::string();
    }
    auto code = state_->otp_secret.empty()
                    ? Expected<std::string>(make_error(ErrorKind::unavailable, "no_otp_secret",
                                                       "otp.secret cannot be read"))
                    : notify::open_code(state_->otp_secret, sealed->get<std::string>());
    if (!code)
        return make_error(ErrorKind::invalid, "bad_one_time_code",
                          "the one-time code cannot be opened: " + code.error().message);
    // From here the job carries the code itself (in memory only, to the worker).
    data.erase(sealed);
    data["code"] = *code;
    job.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return code;
}

void Personalizer::track(wire::Job& job) const {
    const std::string& secret = state_->tracking_secret;
    const std::string& base = config_.tracking.url;
    HtmlTracking tracking;
    if (config_.tracking.clicks)
        tracking.click = [&](const std::string& url) {
            return trackable_url(url) ? click_link(base, secret, job.delivery_id, url)
                                      : std::string();
        };
    if (config_.tracking.opens) tracking.pixel = open_link(base, secret, job.delivery_id);
    job.html = track_html(job.html, tracking);
}

void Personalizer::add_unsubscribe_link(wire::Job& job) const {
    if (!state_->secret.empty() && !config_.is_mandatory(job.category)) {
        UnsubscribeTarget target;
        target.category = job.category;
        if (!job.user_id.empty()) {
            target.user_id = job.user_id;
        } else {
            target.channel = job.channel;
            target.address = job.to;
        }
        if (!target.user_id.empty() || !target.address.empty())
            job.unsubscribe_url = unsubscribe_url(config_, state_->secret, target);
    }
}

Status Personalizer::render_for_user(wire::Job& job, Millis now) {
    if (job.user_id.empty() || job.template_name.empty()) return ok();

    // The user, from the cache while it is fresh.
    State::CachedUser* user = state_->users.find(job.user_id);
    if (!user || now - user->loaded_at > kUserTtl)
        user = &state_->users.put(job.user_id, {directory_.get_user(job.user_id), now});
    if (!user->user)
        return make_error(ErrorKind::not_found, "unknown_user",
                          "user '" + job.user_id + "' is no longer in the directory");

    nlohmann::json* parsed = state_->data.find(job.notification_id);
    if (!parsed) {
        auto object = job.data_json.empty() ? nlohmann::json::object()
                                            : util::json_or_discarded(job.data_json);
        if (!object.is_object()) object = nlohmann::json::object();
        parsed = &state_->data.put(job.notification_id, std::move(object));
    }
    nlohmann::json& data = *parsed;
    data["user"] = rendering::user_object(*user->user);

    // The version in use when the notification was accepted (its id holds the time).
    Millis as_of = util::ulid_time(job.notification_id);
    if (as_of <= 0) as_of = job.created_at;
    auto content = state_->templates.render(
        rendering::TemplateRef{job.template_name, job.channel, job.locale, as_of}, data);
    if (!content) return content.error();
    job.subject = std::move(content->subject);
    job.body = std::move(content->body);
    job.html = std::move(content->html);
    job.payload = std::move(content->payload);
    return ok();
}

}  // namespace notify::router
