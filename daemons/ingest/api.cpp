// api.cpp - routing, authentication and scope checks of the API core, and the
// answers that need no store: errors.
#include "api.hpp"

#include <nlohmann/json.hpp>

#include "unsubscribe_link.hpp"
#include "util/form.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest {

using nlohmann::json;

enum class RouteKind {
    none,
    healthz,
    metrics,
    queue,
    providers,  // /v1/providers: each provider's circuit breaker, from the router
    notifications,
    batch,
    one,
    action,
    directory,    // /v1/users..., /v1/groups...
    templates,    // /v1/templates...
    unsubscribe,  // /v1/unsubscribe/{token}
    receipts,     // /v1/receipts/{provider}
    tracking,     // /v1/track/{open|click}/{token}
    web,          // the dashboard: every path outside /v1/ (api_web.cpp)
    audit,        // /v1/audit
    reports,      // /v1/reports
    schedules,    // /v1/schedules...
    inbox,        // /v1/inbox/{user}...
    otp,          // /v1/otp, /v1/otp/verify
};

struct Route {
    RouteKind kind = RouteKind::none;
    std::string id;
    std::string action;
    std::vector<std::string> parts;  // the path's segments after /v1/, for resources
};

namespace {

Route match(std::string path) {
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path == "/healthz") return {RouteKind::healthz, {}, {}, {}};
    if (path == "/metrics") return {RouteKind::metrics, {}, {}, {}};
    if (!util::starts_with(path, "/v1/")) return {RouteKind::web, {}, {}, {}};
    if (path == "/v1/queue") return {RouteKind::queue, {}, {}, {}};
    if (path == "/v1/providers") return {RouteKind::providers, {}, {}, {}};
    if (path == "/v1/notifications") return {RouteKind::notifications, {}, {}, {}};
    if (path == "/v1/notifications/batch") return {RouteKind::batch, {}, {}, {}};
    if (path == "/v1/audit") return {RouteKind::audit, {}, {}, {}};
    if (path == "/v1/reports") return {RouteKind::reports, {}, {}, {}};
    if (util::starts_with(path, "/v1/")) {
        auto parts = util::split(path.substr(4), '/');
        const std::string& top = parts.front();
        RouteKind kind = top == "users" || top == "groups"     ? RouteKind::directory
                         : top == "templates"                  ? RouteKind::templates
                         : top == "unsubscribe"                ? RouteKind::unsubscribe
                         : top == "receipts"                   ? RouteKind::receipts
                         : top == "track"                      ? RouteKind::tracking
                         : top == "schedules"                  ? RouteKind::schedules
                         : top == "inbox" && parts.size() >= 2 ? RouteKind::inbox
                         : top == "otp"                        ? RouteKind::otp
                                                               : RouteKind::none;
        if (kind != RouteKind::none) {
            for (const auto& p : parts)
                if (p.empty()) return {};
            return {kind, {}, {}, std::move(parts)};
        }
    }
    const std::string prefix = "/v1/notifications/";
    if (!util::starts_with(path, prefix)) return {};
    auto parts = util::split(path.substr(prefix.size()), '/');
    if (parts.size() == 1 && !parts[0].empty()) return {RouteKind::one, parts[0], {}, {}};
    if (parts.size() == 2 && !parts[0].empty()) {
        static const std::vector<std::string> actions = {"cancel", "resend", "approve", "reject"};
        if (std::find(actions.begin(), actions.end(), parts[1]) != actions.end())
            return {RouteKind::action, parts[0], parts[1], {}};
    }
    return {};
}

const char* allowed_methods(RouteKind k) {
    switch (k) {
        case RouteKind::healthz:
        case RouteKind::metrics:
        case RouteKind::queue:
        case RouteKind::providers:
        case RouteKind::one:
        case RouteKind::audit:
        case RouteKind::reports:
        case RouteKind::tracking:
            return "GET";
        case RouteKind::notifications:
            return "GET, POST";
        case RouteKind::batch:
        case RouteKind::action:
        case RouteKind::receipts:
        case RouteKind::otp:
            return "POST";
        case RouteKind::directory:
        case RouteKind::templates:
            return "GET, POST, PUT, PATCH, DELETE";
        case RouteKind::schedules:
            return "GET, POST, PUT, DELETE";
        case RouteKind::unsubscribe:
        case RouteKind::web:
            return "GET, POST";
        case RouteKind::inbox:
            return "GET, POST, OPTIONS";
        case RouteKind::none:
            break;
    }
    return "";
}

// A send-scope key may read its own notifications (the routes filter by owner).
Scope needed_scope(const Route& r, const std::string& method, Scope have) {
    if (r.kind == RouteKind::audit) return Scope::admin;
    if (method == "GET") {
        bool own = r.kind == RouteKind::one || r.kind == RouteKind::notifications;
        return own && have == Scope::send ? Scope::send : Scope::read;
    }
    if (r.kind == RouteKind::action && (r.action == "approve" || r.action == "reject"))
        return Scope::admin;
    if (r.kind == RouteKind::templates && is_template_preview(method, r.parts)) return Scope::read;
    if (r.kind == RouteKind::directory || r.kind == RouteKind::templates ||
        r.kind == RouteKind::schedules)
        return Scope::admin;
    return Scope::send;
}

}  // namespace

Response json_response(int status, const json& body) {
    Response r;
    r.status = status;
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

Response error_response(int status, const Error& e) {
    json err{{"code", e.code}, {"message", e.message}};
    err["field"] = e.field.empty() ? json(nullptr) : json(e.field);
    Response r;
    r.status = status;
    r.body = json{{"error", std::move(err)}}.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

Response internal_response() {
    return error_response(500, make_error(ErrorKind::internal, "internal",
                                          "notify-ingest failed to handle this request; "
                                          "its log says why"));
}

Response method_not_allowed(const Request& req, const std::string& allowed) {
    Response r =
        error_response(405, make_error(ErrorKind::usage, "method_not_allowed",
                                       "method '" + req.method + "' is not allowed on '" +
                                           log::clip(req.path) + "' (allowed: " + allowed + ")"));
    r.headers.emplace_back("Allow", allowed);
    return r;
}

Api::Api(const Config& config, store::Store& reads, Committer& committer, RouterControl& control,
         Metrics& metrics, Millis key_cache_ttl)
    : config_(config),
      reads_(reads),
      trailing_(std::make_unique<store::ReadStores>(reads)),
      committer_(committer),
      control_(control),
      health_(config, committer, control),
      tracking_queue_(control),
      metrics_(metrics),
      keys_(reads, key_cache_ttl),
      limits_(config),
      otp_keys_(config.otp.key_rate.count, config.otp.key_rate.period),
      templates_(reads, config.templates.default_locale) {}

store::DirectoryStore& Api::directory() {
    if (!directory_) directory_ = std::make_unique<store::DirectoryStore>(reads_);
    return *directory_;
}

store::RollupStore& Api::rollups(store::Store& store) {
    auto& kept = rollups_[&store];
    if (!kept) kept = std::make_unique<store::RollupStore>(store);
    return *kept;
}

Expected<std::string> Api::link_secret() {
    if (link_secret_.empty()) {
        auto secret = unsubscribe_secret(config_, reads_);
        if (!secret) return secret.error();
        link_secret_ = *secret;
    }
    return link_secret_;
}

void Api::fail(const Reply& done, int status, const Error& e) {
    metrics_.rejected(e.code);
    NLOG(info, "",
         "rejected code=" << e.code << " status=" << status << (e.field.empty() ? "" : " field=")
                          << e.field << " " << e.message);
    done(error_response(status, e));
}

void Api::refuse(const Reply& done, const LimitRefusal& r) {
    metrics_.rejected(r.error.code);
    NLOG(info, "",
         "rejected code=" << r.error.code << " status=429 field=" << r.error.field << " "
                          << r.error.message);
    Response resp = error_response(429, r.error);
    resp.headers.emplace_back("Retry-After", std::to_string(r.retry_after));
    done(std::move(resp));
}

bool Api::method_allowed(const Request& req, const std::string& allowed, const Reply& done) {
    for (const auto& m : util::split(allowed, ','))
        if (util::trim(m) == req.method) return true;
    metrics_.rejected("method_not_allowed");
    done(method_not_allowed(req, allowed));
    return false;
}

void Api::handle(const Request& req, Reply done) {
    // The first answer wins: a failure after `done` ran must not answer again.
    auto answered = std::make_shared<bool>(false);
    Reply once = [answered, done = std::move(done)](Response r) {
        if (*answered) return;
        *answered = true;
        done(std::move(r));
    };
    guarded(once, [&] { route(req, once); });
}

void Api::internal(const Reply& done, const char* what) {
    metrics_.rejected("internal");
    NLOG(error, "", "internal error=" << what);
    try {
        done(internal_response());
    } catch (...) {
        NLOG(error, "", "internal the 500 answer failed too");
    }
}

void Api::route(const Request& req, Reply done) {
    Route route = match(req.path);
    if (route.kind == RouteKind::none)
        return fail(done, make_error(ErrorKind::not_found, "not_found",
                                     "no such route '" + log::clip(req.path) + "'"));
    if (!method_allowed(req, allowed_methods(route.kind), done)) return;
    if (route.kind == RouteKind::healthz) return health(done);
    if (route.kind == RouteKind::metrics) return get_metrics(std::move(done));
    if (stopping_)
        return fail(done, make_error(ErrorKind::unavailable, "shutting_down",
                                     "notify-ingest is shutting down; try again shortly"));

    // The link's signature is its authentication: a mail client has no API key.
    if (route.kind == RouteKind::unsubscribe) return unsubscribe_request(req, route.parts, done);
    // Nor does a reader of a tracked email.
    if (route.kind == RouteKind::tracking) return tracking_request(req, route.parts, done);
    // A vendor has no API key either: its signature (or the URL's token) is checked.
    if (route.kind == RouteKind::receipts) return receipts_request(req, route.parts, done);
    // The dashboard signs in with a key once and holds a session cookie.
    if (route.kind == RouteKind::web) return web_request(req, done);
    // An end user's page holds an inbox token for its own inbox, and may be
    // on another origin.
    if (route.kind == RouteKind::inbox) {
        if (req.method == "OPTIONS") return done(inbox_preflight(req));
        for (auto& part : route.parts) {
            auto decoded = util::percent_decode(part);
            if (!decoded)
                return fail(done, make_error(ErrorKind::invalid, "invalid_path",
                                             "the path '" + log::clip(req.path) +
                                                 "' has a malformed %-escape"));
            part = std::move(*decoded);
        }
        if (auto token = inbox_token_of(req, route.parts)) {
            done = [done = std::move(done), cors = cors_headers(req)](Response r) {
                r.headers.insert(r.headers.end(), cors.begin(), cors.end());
                done(std::move(r));
            };
            return inbox_with_token(req, route.parts, *token, done);
        }
    }

    Principal who{Scope::admin, kLocalPrincipal, kLocalPrincipal, {}, {}};
    if (!req.trusted) {
        auto p = keys_.authenticate(req.authorization, config_.ingest.require_api_key);
        if (!p) {
            metrics_.rejected(p.error().code);
            NLOG(info, "",
                 "rejected code=" << p.error().code << " status=401 " << p.error().message);
            Response r = error_response(401, p.error());
            r.headers.emplace_back("WWW-Authenticate", "Bearer");
            return done(std::move(r));
        }
        who = *p;
    }
    serve(route, req, who, std::move(done));
}

void Api::call_as(const Request& req, const Principal& who, Reply done) {
    Route route = match(req.path);
    if (route.kind == RouteKind::none || route.kind == RouteKind::web)
        return fail(done, make_error(ErrorKind::not_found, "not_found",
                                     "no such route '" + log::clip(req.path) + "'"));
    if (!method_allowed(req, allowed_methods(route.kind), done)) return;
    serve(route, req, who, std::move(done));
}

void Api::serve(const Route& route, const Request& req, const Principal& who, Reply done) {
    if (auto refused = limits_.admit_request(who, util::now_ms())) return refuse(done, *refused);
    Scope need = needed_scope(route, req.method, who.scope);
    if (!allows(who.scope, need))
        return fail(done,
                    make_error(ErrorKind::forbidden, "forbidden",
                               "API key '" + who.name + "' has scope '" + to_string(who.scope) +
                                   "'; this needs '" + to_string(need) + "'" +
                                   (need == Scope::admin ? "" : " or 'admin'")));

    // Admin changes are recorded once they succeed.
    if (need == Scope::admin && req.method != "GET")
        done = audited(req,
                       route.kind == RouteKind::action
                           ? std::vector<std::string>{"notifications", route.id, route.action}
                           : route.parts,
                       who, std::move(done));

    switch (route.kind) {
        case RouteKind::audit:
            return get_audit(req, done);
        case RouteKind::reports:
            return get_report(req, done);
        case RouteKind::queue:
            return get_queue(done);
        case RouteKind::providers:
            return get_providers(std::move(done));
        case RouteKind::notifications:
            if (req.method == "POST") return post_notification(req, who, std::move(done));
            return list_notifications(req, who, done);
        case RouteKind::batch:
            return post_batch(req, who, std::move(done));
        case RouteKind::one:
            return get_notification(route.id, req, who, done);
        case RouteKind::action:
            if (route.action == "cancel" || route.action == "resend")
                return control_action(route.id, route.action, who, std::move(done));
            return approval_action(route.id, route.action, req, who, std::move(done));
        case RouteKind::directory:
            return directory_request(req, route.parts, who, done);
        case RouteKind::templates:
            return templates_request(req, route.parts, who, done);
        case RouteKind::schedules:
            return schedules_request(req, route.parts, who, std::move(done));
        case RouteKind::inbox:
            return inbox_request(req, route.parts, 0, done);
        case RouteKind::otp:
            return otp_request(req, route.parts, who, std::move(done));
        default:
            break;
    }
    fail(done, make_error(ErrorKind::not_found, "not_found",
                          "no such route '" + log::clip(req.path) + "'"));
}

}  // namespace notify::ingest
