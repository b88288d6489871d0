// api_inbox.cpp - /v1/inbox/{user}: a user's in-app inbox, for the user's own
// pages and apps (with an inbox token, inbox_token.hpp) and for back ends (with
// an API key: read scope reads, send scope marks).
//
//   GET  /v1/inbox/{user}[?category=&archived=&before=&limit=]
//        {"user","items":[...],"unread","next"}: newest first, `limit` (50,
//        0 to 1000; 0: the unread count alone), the next page from
//        before=NEXT; "next" is null on the last page
//   GET  /v1/inbox/{user}/items/{id}                   one item
//   POST /v1/inbox/{user}/items/{id}/{read|unread|seen|archive|unarchive}
//        the item as it is now; marking it again changes nothing
//   POST /v1/inbox/{user}/read-all[?category=]         {"marked","unread"}
//   GET  /v1/inbox/{user}/stream[?last_event_id=]      the user's events as they
//        happen (inbox_streams.hpp), from the Last-Event-ID header or the query
//
// An item is shown as inbox_view.hpp says. The token comes as "Authorization:
// Bearer TOKEN" or, on the stream alone, where a browser cannot set a header
// (EventSource), as ?token=TOKEN. Pages on the origins of inbox.cors_origins
// may call these routes from the browser with a token: their preflight
// (OPTIONS) is answered, and every answer names the origin. A user's token
// requests are limited (request_windows.hpp). Marking an item read also
// records the delivery as `read` (through the router, as tracked opens are:
// tracking_queue.hpp).
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api.hpp"
#include "directory_routes.hpp"
#include "inbox_token.hpp"
#include "inbox_view.hpp"
#include "store/inbox_store.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr const char* kKeyPrefix = "nk_";  // API keys; other bearer values are inbox tokens

struct MarkRoute {
    const char* action;
    store::InboxMark mark;
};
constexpr MarkRoute kMarkRoutes[] = {{"read", store::InboxMark::read},
                                     {"unread", store::InboxMark::unread},
                                     {"seen", store::InboxMark::seen},
                                     {"archive", store::InboxMark::archived},
                                     {"unarchive", store::InboxMark::unarchived}};

Error no_item(const std::string& user, const std::string& id) {
    return make_error(ErrorKind::not_found, "not_found",
                      "user '" + user + "' has no inbox item '" + log::clip(id) + "'");
}

Expected<bool> flag_of(const Request& req, const char* name) {
    const std::string v = directory::query_value(req, name);
    if (v.empty() || v == "false" || v == "0") return false;
    if (v == "true" || v == "1") return true;
    return directory::invalid("invalid_filter", std::string("'") + name + "' must be true or false",
                              name);
}

Expected<store::InboxQuery> page_query(const Request& req, const std::string& user) {
    if (auto st = directory::check_query(req, {"category", "archived", "before", "limit"}); !st)
        return st.error();
    store::InboxQuery q;
    q.user_id = user;
    q.category = directory::query_value(req, "category");
    auto archived = flag_of(req, "archived");
    if (!archived) return archived.error();
    q.archived = *archived;
    if (auto before = directory::query_value(req, "before"); !before.empty()) {
        auto n = util::parse_whole(before, 1, INT64_MAX, "before", "invalid_filter");
        if (!n) return n.error();
        q.before = *n;
    }
    if (auto limit = directory::query_value(req, "limit"); !limit.empty()) {
        auto n = util::parse_whole(limit, 0, directory::kMaxLimit, "limit", "invalid_filter");
        if (!n) return n.error();
        q.limit = static_cast<int>(*n);
    }
    return q;
}

// Where the stream resumes: the Last-Event-ID header (an EventSource sends it
// when it reconnects), else ?last_event_id=.
Expected<StreamOpen> stream_open(const Request& req, const std::string& user) {
    if (auto st = directory::check_query(req, {"last_event_id", "token"}); !st) return st.error();
    StreamOpen open{user, 0};
    auto header = req.headers.find("last-event-id");
    std::string last =
        header != req.headers.end() ? header->second : directory::query_value(req, "last_event_id");
    if (!util::trim(last).empty()) {
        auto n =
            util::parse_whole(util::trim(last), 0, INT64_MAX, "last_event_id", "invalid_filter");
        if (!n) return n.error();
        open.last_event_id = *n;
    }
    return open;
}

// The stream for the HTTP transport; a HEAD request gets its head alone. Other
// transports cannot hold a stream and answer 400 with the body.
Response stream_response(const StreamOpen& open, bool head) {
    Response r = error_response(
        400, make_error(ErrorKind::usage, "stream_needs_http",
                        "the inbox stream of '" + open.user + "' is served over HTTP only"));
    if (head) {
        r.status = 200;
        r.body.clear();
        r.content_type = "text/event-stream; charset=utf-8";
        return r;
    }
    r.stream = open;
    return r;
}

}  // namespace

std::optional<std::string> inbox_token_of(const Request& req,
                                          const std::vector<std::string>& parts) {
    // In the URL only where a browser cannot set a header: URLs end up in
    // proxies' logs.
    const bool stream = parts.size() == 3 && parts[2] == "stream";
    if (auto it = req.query.find("token"); stream && it != req.query.end()) return it->second;
    const std::string& auth = req.authorization;
    constexpr std::string_view bearer = "bearer ";
    if (auth.size() > bearer.size() &&
        std::equal(bearer.begin(), bearer.end(), auth.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        })) {
        std::string value = util::trim(auth.substr(bearer.size()));
        if (!util::starts_with(value, kKeyPrefix)) return value;
    }
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Api::cors_headers(const Request& req) const {
    auto origin = req.headers.find("origin");
    if (origin == req.headers.end()) return {};
    const auto& allowed = config_.inbox.cors_origins;
    if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end())
        return {{"Access-Control-Allow-Origin", "*"}};
    if (std::find(allowed.begin(), allowed.end(), origin->second) == allowed.end())
        return {{"Vary", "Origin"}};
    return {{"Access-Control-Allow-Origin", origin->second}, {"Vary", "Origin"}};
}

Response Api::inbox_preflight(const Request& req) const {
    Response r;
    r.status = 204;
    r.content_type.clear();
    r.headers = cors_headers(req);
    r.headers.emplace_back("Allow", "GET, POST, OPTIONS");
    if (!r.headers.empty() && r.headers.front().first == "Access-Control-Allow-Origin") {
        r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST");
        r.headers.emplace_back("Access-Control-Allow-Headers",
                               "Authorization, Content-Type, Last-Event-ID");
        r.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    return r;
}

void Api::inbox_with_token(const Request& req, const std::vector<std::string>& parts,
                           const std::string& token, const Reply& done) {
    if (inbox_secret_.empty()) {
        auto secret = inbox_secret(config_, reads_);
        if (!secret) return fail(done, secret.error());
        inbox_secret_ = *secret;
    }
    auto expires = check_inbox_token(inbox_secret_, token, parts[1], util::now_ms());
    if (!expires) {
        metrics_.rejected(expires.error().code);
        NLOG(info, "", "rejected code=" << expires.error().code << " status=401 route=inbox");
        Response r = error_response(401, expires.error());
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return done(std::move(r));
    }
    if (auto wait = inbox_users_.admit(parts[1], util::now_ms()))
        return refuse(done, LimitRefusal{make_error(ErrorKind::temporary, "rate_limited",
                                                    "user '" + parts[1] + "' made " +
                                                        std::to_string(kInboxUserRequests) +
                                                        " inbox requests in the last " +
                                                        std::to_string(kInboxUserWindow / 1000) +
                                                        " s; try again shortly",
                                                    "rate_limit"),
                                         *wait});
    inbox_request(req, parts, *expires, done);
}

void Api::inbox_request(const Request& req, const std::vector<std::string>& parts,
                        Millis token_expires, const Reply& done) {
    const std::string& user = parts[1];
    const bool list = parts.size() == 2;
    const bool one = parts.size() == 4 && parts[2] == "items";
    const bool mark = parts.size() == 5 && parts[2] == "items";
    const bool read_all = parts.size() == 3 && parts[2] == "read-all";
    const bool stream = parts.size() == 3 && parts[2] == "stream";
    if (!list && !one && !mark && !read_all && !stream) return fail(done, directory::no_route(req));
    if (!method_allowed(req, list || one || stream ? "GET" : "POST", done)) return;
    const MarkRoute* route = nullptr;
    if (mark) {
        for (const auto& m : kMarkRoutes)
            if (parts[4] == m.action) route = &m;
        if (!route) return fail(done, directory::no_route(req));
    }
    const Millis now = util::now_ms();
    try {
        if (!directory().get_user(user)) return fail(done, directory::not_found("user", user));
        if (stream) {
            auto open = stream_open(req, user);
            if (!open) return fail(done, open.error());
            open->expires_at = token_expires;
            return done(stream_response(*open, req.head));
        }
        store::InboxStore& box = inbox();
        if (list) {
            auto q = page_query(req, user);
            if (!q) return fail(done, q.error());
            store::InboxPage page = box.page(*q);
            json items = json::array();
            for (const auto& item : page.items) items.push_back(inbox_item_view(item));
            return done(json_response(
                200, {{"user", user},
                      {"items", std::move(items)},
                      {"unread", page.unread},
                      {"next", page.next_cursor ? json(page.next_cursor) : json(nullptr)}}));
        }
        if (one) {
            auto item = box.item(user, parts[3]);
            if (!item) return fail(done, no_item(user, parts[3]));
            return done(json_response(200, inbox_item_view(*item)));
        }
        if (mark) {
            auto item = box.mark(user, parts[3], route->mark, now);
            if (!item) return fail(done, no_item(user, parts[3]));
            done(json_response(200, inbox_item_view(*item)));
            if (route->mark == store::InboxMark::read) tracking_queue_.add(item->id, "read", {});
            return;
        }
        if (auto st = directory::check_query(req, {"category"}); !st) return fail(done, st.error());
        const std::string category = directory::query_value(req, "category");
        auto marked = box.mark_all_read(user, category, now);
        done(json_response(200, {{"marked", marked.size()}, {"unread", box.unread(user)}}));
        for (const auto& id : marked) tracking_queue_.add(id, "read", {});
    } catch (const store::StoreFailure& f) {
        fail(done, store::to_error(f));
    }
}

store::InboxStore& Api::inbox() {
    if (!inbox_) inbox_ = std::make_unique<store::InboxStore>(reads_.handle());
    return *inbox_;
}

}  // namespace notify::ingest
