// web_page.hpp - how the dashboard's pages are made: server-rendered HTML in
// one layout (Bootstrap from Debian's libjs-bootstrap5, served by
// web_assets.hpp), in English or Chinese, every value escaped.
#pragma once

#include <string>
#include <string_view>

#include "api.hpp"
#include "util/html.hpp"
#include "web_words.hpp"

namespace notify::ingest {

using util::escape_html;

// What the layout shows of who is signed in; empty name: nobody.
struct PageUser {
    std::string name;
    std::string scope;
    std::string csrf;
};

// A whole page: head, the navigation (when someone is signed in), `body`.
// Answered with no-store, a Content-Security-Policy that allows only this
// origin, and no framing.
Response web_page(int status, Lang lang, const std::string& title, const std::string& body,
                  const PageUser& user);
// A small page of its own (no layout, no sign-in) for the people who follow a
// link from a message: unsubscribe and tracking links. Not stored by caches
// and sent with no Referer, since the URL carries the link's token.
Response link_page(int status, const std::string& title, const std::string& body_html);
// GET /inbox-demo (web_inbox_demo.cpp): the example page of a live inbox.
Response inbox_demo_page();
// 303 See Other to `location`.
Response redirect(const std::string& location);

}  // namespace notify::ingest
