// api_tracking.cpp - GET /v1/track/open/{token} and /v1/track/click/{token}:
// the open image and the click links of tracked email (tracking_link.hpp).
//
// The signed token is the link's only credential. An open answers a 1x1
// transparent GIF; a click answers 302 to the address the link was made for.
// Either queues the event (read, clicked; the first of each per delivery
// counts) for the router (tracking_queue.hpp): the reader is answered at once,
// and a router that cannot record it is logged, not shown to the reader. A
// click records where it went (scheme, host and port), not the whole address.
// A HEAD request (link checkers) is answered the same way and records nothing. A
// token that is malformed, altered, of the other kind or signed with another
// secret gets a 404 page, so no link here redirects anywhere it was not made for.
#include "api.hpp"
#include "store/store.hpp"
#include "tracking_link.hpp"
#include "util/log.hpp"
#include "web_page.hpp"

namespace notify::ingest {

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
        // A secret is made only where tracking is on; else links made before
        // it was turned off are checked with the one kept, if any.
        auto secret = config_.tracking.opens || config_.tracking.clicks
                          ? tracking_secret(config_, reads_)
                          : Expected<std::string>(reads_.setting(kTrackingSecretSetting));
        if (!secret) {
            NLOG(error, "", "tracking links cannot be checked: " << secret.error().message);
            return done(link_page(503, "Try again later",
                                  "<p>This link cannot be followed right now.</p>\n"));
        }
        tracking_secret_ = *secret;
    }
    std::optional<TrackedLink> link;
    if (!tracking_secret_.empty())
        link = verify_tracking_token(tracking_secret_, open ? TrackKind::open : TrackKind::click,
                                     parts[2]);
    if (!link) {
        NLOG(info, "", "rejected code=bad_tracking_link status=404 kind=" << kind);
        return done(link_page(404, "Link not valid",
                              "<p>This link is not valid. Use the link from the message.</p>\n"));
    }
    done(open ? pixel() : go_to(link->url));
    if (req.head) return;
    // The event keeps where a click went, not the whole address: links may
    // carry tokens (a password reset) that the event log must not show.
    tracking_queue_.add(link->delivery_id, open ? "read" : "clicked",
                        open ? std::string() : url_origin(link->url));
}

}  // namespace notify::ingest
