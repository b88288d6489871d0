// web_inbox_demo.cpp - GET /inbox-demo: an example of a product's own page with
// a live inbox and an unread badge, in plain HTML and JavaScript
// (web/inbox-demo.js). It needs no sign-in: what it shows comes from the
// inbox routes with the user's inbox token, which the address's fragment
// carries (#user=ana&token=...).
#include "web_page.hpp"

namespace notify::ingest {

Response inbox_demo_page() {
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.body =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>Inbox · notify</title>\n"
        "<link rel=\"stylesheet\" href=\"/static/bootstrap.min.css\">\n"
        "<script src=\"/static/inbox-demo.js\" defer></script>\n</head>\n<body>\n"
        "<main class=\"container my-4\" style=\"max-width:40em\">\n"
        "<h1 class=\"h3\">Inbox of <span id=\"user\"></span> "
        "<span class=\"badge rounded-pill text-bg-danger\" id=\"badge\" data-count=\"0\">0"
        "</span></h1>\n"
        "<p class=\"small text-muted\">Stream: <span id=\"state\">connecting</span> "
        "<button class=\"btn btn-link btn-sm\" id=\"read-all\">Mark all read</button></p>\n"
        "<ul class=\"list-group\" id=\"items\"></ul>\n"
        "<p class=\"text-muted\" id=\"empty\">Nothing here yet.</p>\n"
        "</main>\n</body>\n</html>\n";
    return r;
}

}  // namespace notify::ingest
