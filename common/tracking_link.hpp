// tracking_link.hpp - signed open and click tracking links for email, off by
// default (tracking.opens, tracking.clicks).
//
// The router rewrites each tracked message's HTML part (tracked_html.hpp): each
// http(s) link becomes TRACKING_URL/click/TOKEN, and an invisible image
// TRACKING_URL/open/TOKEN is added. notify-ingest serves both: the image
// records `read`, the link records `clicked` and redirects to the address it
// was made for. A token holds ["o", DELIVERY] or ["c", DELIVERY, URL], signed
// (signed_link.hpp) with tracking.secret or one kept in the store, so a link
// can neither be forged nor turned into a redirect to anywhere else.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config.hpp"
#include "util/error.hpp"

namespace notify::store {
class Store;
}

namespace notify {

enum class TrackKind { open, click };

struct TrackedLink {
    TrackKind kind = TrackKind::open;
    std::string delivery_id;
    std::string url;  // where a click goes; "" for an open
};

// Addresses longer than this keep their own link (the token would exceed what
// servers and proxies take in a request line).
constexpr std::size_t kMaxTrackedUrl = 2048;

// The store setting that keeps the secret when tracking.secret is not set.
constexpr const char* kTrackingSecretSetting = "tracking.secret";
Expected<std::string> tracking_secret(const Config& config, store::Store& store);

// Whether a click on `url` may be tracked: http or https, at most kMaxTrackedUrl
// bytes, and no control characters or spaces.
bool trackable_url(std::string_view url);

// `base` is tracking.url (a trailing '/' is ignored).
std::string open_link(std::string_view base, const std::string& secret,
                      const std::string& delivery_id);
// "" when the token would be longer than a link's token may be (an address of
// many characters that JSON escapes): the address is then left as it is.
std::string click_link(std::string_view base, const std::string& secret,
                       const std::string& delivery_id, const std::string& url);
// Where an address leads, without its path, query or fragment:
// "https://shop.example.com:8443".
std::string url_origin(std::string_view url);

// What a token of `kind` names when its signature checks out; nullopt otherwise.
std::optional<TrackedLink> verify_tracking_token(const std::string& secret, TrackKind kind,
                                                 const std::string& token);

}  // namespace notify
