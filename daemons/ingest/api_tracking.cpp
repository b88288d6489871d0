// api_tracking.cpp - GET /v1/track/open/{token} and /v1/track/click/{token}:
// the open image and the click links of tracked email (tracking_link.hpp).
//
// The signed token is the link's only credential. An open answers a 1x1
// transparent GIF; a click answers 302 to the address the link was made for.
// Either asks the router to record the event (read, clicked; the first of each
// per delivery counts) without waiting for it: the reader is answered at once,
// and a router that cannot record it is logged, not shown to the reader. A
// HEAD request (link checkers) is answered the same way and records nothing. A
// token that is malformed, altered, of the other kind or signed with another
// secret gets a 404 page, so no link here redirects anywhere it was not made for.
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "tracking_link.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "web_page.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

// GIF89a, 1x1, one transparent pixel.
constexpr unsigned char kPixel[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

Response pixel() {
    Response r;
    r.content_type = "image/gif";
    r.body.assign(reinterpret_cast<const char*>(kPixel), sizeof kPixel);
    r.headers.emplace_back("Cache-Control", "no-store, private");
    return r;
}

Response go_to(const std::string& url) {
    Response r =
        link_page(302, "Redirecting",
                  "<p><a href=\"" + escape_html(url) + "\">" + escape_html(url) + "</a></p>\n");
    r.headers.emplace_back("Location", url);
    return r;
}

}  // namespace

void Api::tracking_request(const Request& req, const std::vector<std::string>& parts,
                           const Reply& done) {
    const std::string kind = parts.size() == 3 ? parts[1] : std::string();
    const bool open = kind == "open";
    if (!open && kind != "click")
        return fail(done, make_error(ErrorKind::not_found, "not_found",
                                     "no such route '" + log::clip(req.path) + "'"));
    if (tracking_secret_.empty()) {
        auto secret = tracking_secret(config_, reads_);
        if (!secret) {
            NLOG(error, "", "tracking links cannot be checked: " << secret.error().message);
            return done(link_page(503, "Try again later",
                                  "<p>This link cannot be followed right now.</p>\n"));
        }
        tracking_secret_ = *secret;
    }
    auto link = verify_tracking_token(tracking_secret_, open ? TrackKind::open : TrackKind::click,
                                      parts[2]);
    if (!link) {
        NLOG(info, "", "rejected code=bad_tracking_link status=404 kind=" << kind);
        return done(link_page(404, "Link not valid",
                              "<p>This link is not valid. Use the link from the message.</p>\n"));
    }
    done(open ? pixel() : go_to(link->url));
    if (req.head) return;

    json request{
        {"op", "track"}, {"delivery_id", link->delivery_id}, {"status", open ? "read" : "clicked"}};
    if (!open) request["url"] = link->url;
    const std::string delivery = link->delivery_id;
    control_.call(
        request.dump(-1, ' ', false, json::error_handler_t::replace),
        [delivery](Expected<std::string> reply) {
            json r = reply ? util::json_or_discarded(*reply) : json();
            if (!r.is_object() || !r.value("ok", false))
                NLOG(warning, "",
                     "tracking delivery=" << delivery << " not recorded: "
                                          << (reply ? log::clip(*reply) : reply.error().message));
        });
}

}  // namespace notify::ingest
