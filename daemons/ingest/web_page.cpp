// web_page.cpp - see web_page.hpp.
#include "web_page.hpp"

namespace notify::ingest {

namespace {

std::string nav_item(const char* href, const char* text, const char* id) {
    return std::string("<li class=\"nav-item\"><a class=\"nav-link\" id=\"") + id + "\" href=\"" +
           href + "\">" + text + "</a></li>";
}

}  // namespace

Response web_page(int status, Lang lang, const std::string& title, const std::string& body,
                  const PageUser& user) {
    const bool zh = lang == Lang::zh;
    std::string nav;
    if (!user.name.empty())
        nav =
            "<nav class=\"navbar navbar-expand bg-light mb-4\"><div "
            "class=\"container\"><a class=\"navbar-brand\" href=\"/\">notify</a>"
            "<ul class=\"navbar-nav me-auto\">" +
            nav_item("/", tr(lang, "overview"), "nav-overview") +
            nav_item("/notifications", tr(lang, "notifications"), "nav-notifications") +
            nav_item("/approvals", tr(lang, "approvals"), "nav-approvals") +
            nav_item("/reports", tr(lang, "reports"), "nav-reports") +
            nav_item("/users", tr(lang, "users"), "nav-users") +
            nav_item("/templates", tr(lang, "templates"), "nav-templates") +
            "</ul><span class=\"navbar-text me-3\" id=\"who\">" + tr(lang, "signed_in_as") + " " +
            escape_html(user.name) + " (" + escape_html(user.scope) +
            ")</span><form method=\"post\" action=\"/logout\" class=\"d-flex\">"
            "<input type=\"hidden\" name=\"csrf\" value=\"" +
            escape_html(user.csrf) +
            "\"><button class=\"btn btn-outline-secondary btn-sm\" id=\"sign-out\">" +
            tr(lang, "sign_out") + "</button></form></div></nav>";
    Response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                           "form-action 'self'; base-uri 'none'");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "same-origin");
    r.body = "<!DOCTYPE html>\n<html lang=\"" + std::string(zh ? "zh-CN" : "en") +
             "\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             "<title>" +
             escape_html(title) +
             " · notify</title>\n"
             "<link rel=\"stylesheet\" href=\"/static/bootstrap.min.css\">\n"
             "<script src=\"/static/dashboard.js\" defer></script>\n</head>\n<body>\n" +
             nav + "<main class=\"container\">\n" + body +
             "<p class=\"mt-5 small\"><a id=\"lang\" href=\"?lang=" + (zh ? "en" : "zh") + "\">" +
             tr(lang, "language") + "</a></p>\n</main>\n</body>\n</html>\n";
    return r;
}

Response link_page(int status, const std::string& title, const std::string& body_html) {
    Response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    // The URL carries the token: keep it out of caches and Referer headers.
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.body =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>" +
        escape_html(title) +
        "</title>\n"
        "<style>body{font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em}"
        "button{font-size:1em;padding:.5em 1.5em}</style>\n"
        "</head>\n<body>\n<h1>" +
        escape_html(title) + "</h1>\n" + body_html + "</body>\n</html>\n";
    return r;
}

Response redirect(const std::string& location) {
    Response r;
    r.status = 303;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", location);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

}  // namespace notify::ingest
