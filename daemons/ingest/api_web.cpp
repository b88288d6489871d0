// api_web.cpp - the web dashboard (served by notify-ingest at /): sign-in,
// sign-out, the overview, and the dispatch of every other page (web_pages.hpp)
//   GET  /login       the sign-in form; POST /login signs in with an API key of
//                     scope read or admin (web_session.hpp)
//   POST /logout      signs out
//   GET  /            the overview: today's counts, the queue by priority,
//                     pending approvals, live figures (GET /live; web_overview.cpp)
//   GET  /static/...  Bootstrap and Chart.js from their Debian packages, and
//                     the dashboard's own script
//   GET  /inbox-demo  an example page of a live inbox (web_inbox_demo.cpp),
//                     without a session: it holds a user's inbox token
// Every page but /login needs a session (else 303 to /login). Every POST
// carries the session's CSRF token (the sign-in form a token bound to a
// short-lived cookie); one without it is 403 and changes nothing. Pages change
// things through the /v1/ API as the signed-in key, so a read key is refused
// there as it would be over HTTP. Sign-ins and sign-outs are in the audit log.
#include "api.hpp"
#include "util/crypto.hpp"
#include "util/form.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "web_call.hpp"
#include "web_page.hpp"
#include "web_pages.hpp"

namespace notify::ingest {

namespace {

constexpr const char* kLoginCookie = "notify_login";

std::string cookie_of(const Request& req, const char* name) {
    auto it = req.headers.find("cookie");
    return it == req.headers.end() ? std::string() : cookie_value(it->second, name);
}

std::string set_cookie(const char* name, const std::string& value, const char* path, long max_age,
                       bool secure) {
    return std::string(name) + "=" + value + "; Path=" + path +
           "; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Strict" +
           (secure ? "; Secure" : "");
}

bool same_token(const std::string& a, const std::string& b) {
    return !a.empty() && util::constant_time_equal(a, b);
}

std::string alert(const std::string& text) {
    return "<div class=\"alert alert-danger\" id=\"error\">" + escape_html(text) + "</div>";
}

struct WebRoute {
    const char* method;
    const char* pattern;  // segments; "*" matches any one
    void (*page)(const WebCall&);
};

constexpr WebRoute kPages[] = {
    {"GET", "/notifications", notifications_page},
    {"GET", "/notifications/*", notification_page},
    {"POST", "/notifications/*/resend", notification_action},
    {"POST", "/notifications/*/cancel", notification_action},
    {"POST", "/notifications/*/approve", notification_action},
    {"POST", "/notifications/*/reject", notification_action},
    {"GET", "/approvals", approvals_page},
    {"GET", "/reports", reports_page},
    {"GET", "/reports.csv", report_csv},
    {"GET", "/users", users_page},
    {"GET", "/users/*", user_page},
    {"GET", "/groups", groups_page},
    {"GET", "/groups/*", group_page},
    {"GET", "/templates", templates_page},
    {"GET", "/new-template", template_editor},
    {"POST", "/new-template", template_post},
    {"POST", "/template-preview", template_post},
    {"GET", "/templates/*", template_page},
    {"GET", "/templates/*/edit", template_editor},
    {"POST", "/templates/*", template_post},
    {"POST", "/templates/*/restore", template_restore},
};

std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    for (auto& s : util::split(path, '/'))
        if (!s.empty()) out.push_back(std::move(s));
    return out;
}

// The page for `parts`; `known` says whether any page has that path (for 405).
const WebRoute* find_page(const std::string& method, const std::vector<std::string>& parts,
                          bool& known) {
    known = false;
    for (const auto& r : kPages) {
        auto pattern = segments(r.pattern);
        if (pattern.size() != parts.size()) continue;
        bool same = true;
        for (size_t i = 0; i < parts.size() && same; ++i)
            same = pattern[i] == "*" || pattern[i] == parts[i];
        if (!same) continue;
        known = true;
        if (method == r.method) return &r;
    }
    return nullptr;
}

}  // namespace

void Api::web_request(const Request& req, const Reply& done) {
    if (req.path.rfind("/static/", 0) == 0) {
        const WebAsset* asset = assets_.find(req.path);
        if (!asset)
            return fail(done, make_error(ErrorKind::not_found, "not_found",
                                         "no such file '" + log::clip(req.path) + "'"));
        Response r;
        r.content_type = asset->content_type;
        r.body = asset->body;
        r.headers.emplace_back("Cache-Control", "public, max-age=86400");
        return done(std::move(r));
    }
    const Lang lang = lang_of(req);
    // Answered now or later (a page may wait for a commit or the router).
    const bool chose_lang = req.query.count("lang") > 0;
    Reply answer = [done, chose_lang, lang](Response r) {
        if (chose_lang)
            r.headers.emplace_back("Set-Cookie", "notify_lang=" + std::string(to_string(lang)) +
                                                     "; Path=/; Max-Age=31536000; SameSite=Strict");
        done(std::move(r));
    };
    if (req.path == "/login") return answer(login(req, lang));
    // An example for product pages: it signs in with nothing but an inbox token.
    if (req.path == "/inbox-demo") {
        if (req.method != "GET") return done(method_not_allowed(req, "GET"));
        return done(inbox_demo_page());
    }
    const auto parts = segments(req.path);
    bool known = false;
    const WebRoute* page = find_page(req.method, parts, known);
    if (!known && !parts.empty() && req.path != "/logout" && req.path != "/live")
        return fail(done, make_error(ErrorKind::not_found, "not_found",
                                     "no such route '" + log::clip(req.path) + "'"));

    const Millis now = util::now_ms();
    const std::string session_id = cookie_of(req, kSessionCookie);
    WebSession* session = session_id.empty() ? nullptr : sessions_.find(session_id, now);
    std::optional<Principal> who;
    if (session) {
        auto p = keys_.authenticate("Bearer " + session->key, true);
        if (p && p->scope != Scope::send)
            who = *p;
        else
            sessions_.close(session_id);  // the key was revoked
    }
    if (!who) return answer(redirect("/login"));
    const PageUser user{who->name, to_string(who->scope), session->csrf};

    util::FormFields form;
    if (req.method == "POST") {
        form = util::parse_form(req.body).value_or(util::FormFields{});
        if (!same_token(util::form_value(form, "csrf"), session->csrf))
            return answer(
                web_page(403, lang, tr(lang, "forbidden"), alert(tr(lang, "forbidden")), user));
    }
    if (req.path == "/logout") {
        if (req.method != "POST") return answer(method_not_allowed(req, "POST"));
        audit(who->name, "dashboard.sign-out", who->id, "");
        sessions_.close(session_id);
        Response r = redirect("/login");
        r.headers.emplace_back(
            "Set-Cookie", set_cookie(kSessionCookie, "", "/", 0, config_.ingest.secure_cookies));
        return answer(std::move(r));
    }
    if (parts.empty() || req.path == "/live") {
        if (req.method != "GET") return answer(method_not_allowed(req, "GET"));
        if (req.path == "/live") return live(answer);
        return answer(overview(lang, user));
    }
    if (!page) return answer(method_not_allowed(req, req.method == "GET" ? "POST" : "GET"));
    WebCall call;
    call.req = req;
    call.parts = parts;
    call.form = std::move(form);
    call.lang = lang;
    call.user = user;
    call.admin = who->scope == Scope::admin;
    call.api = [this, who = *who](Request r, Reply then) { call_as(r, who, std::move(then)); };
    call.done = answer;
    page->page(call);
}

Response Api::login(const Request& req, Lang lang) {
    auto form_page = [&](int status, const std::string& error) {
        std::string token = random_token();
        std::string body =
            "<div class=\"row justify-content-center\"><div class=\"col-md-5\">"
            "<h1 class=\"h3 my-4\">notify · " +
            std::string(tr(lang, "sign_in")) + "</h1>" + (error.empty() ? "" : alert(error)) +
            "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" "
            "value=\"" +
            token + "\"><div class=\"mb-3\"><label class=\"form-label\" for=\"key\">" +
            tr(lang, "api_key") +
            "</label><input class=\"form-control\" type=\"password\" id=\"key\" name=\"key\" "
            "autocomplete=\"current-password\" required><div class=\"form-text\">" +
            tr(lang, "api_key_help") +
            "</div></div><button class=\"btn btn-primary\" id=\"sign-in\" "
            "type=\"submit\">" +
            tr(lang, "sign_in") + "</button></form></div></div>";
        Response r = web_page(status, lang, tr(lang, "sign_in"), body, PageUser{});
        r.headers.emplace_back("Set-Cookie", set_cookie(kLoginCookie, token, "/login", 3600,
                                                        config_.ingest.secure_cookies));
        return r;
    };
    if (req.method != "POST") return form_page(200, "");
    auto form = util::parse_form(req.body);
    if (!form || !same_token(util::form_value(*form, "csrf"), cookie_of(req, kLoginCookie)))
        return form_page(403, tr(lang, "bad_form"));
    const std::string key = util::form_value(*form, "key");
    auto who = keys_.authenticate("Bearer " + key, true);
    if (!who || key.empty()) {
        NLOG(info, "", "dashboard sign-in refused: the key is not valid");
        return form_page(401, tr(lang, "bad_key"));
    }
    if (who->scope == Scope::send) return form_page(403, tr(lang, "send_scope"));
    std::string id = sessions_.open(key, util::now_ms());
    audit(who->name, "dashboard.sign-in", who->id, to_string(who->scope));
    Response r = redirect("/");
    r.headers.emplace_back("Set-Cookie",
                           set_cookie(kSessionCookie, id, "/", WebSessions::kIdle / 1000,
                                      config_.ingest.secure_cookies));
    r.headers.emplace_back(
        "Set-Cookie", set_cookie(kLoginCookie, "", "/login", 0, config_.ingest.secure_cookies));
    return r;
}

}  // namespace notify::ingest
