// tracking_link.cpp - making and checking tracking tokens; see tracking_link.hpp.
#include "tracking_link.hpp"

#include <cctype>

#include "signed_link.hpp"

namespace notify {

namespace {

std::string link(std::string_view base, const char* kind, const std::string& token) {
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    std::string out(base);
    out += '/';
    out += kind;
    out += '/';
    out += token;
    return out;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

}  // namespace

Expected<std::string> tracking_secret(const Config& config, store::Store& store) {
    return link_secret(config.tracking.secret, "tracking.secret", kTrackingSecretSetting, store);
}

bool trackable_url(std::string_view url) {
    if (url.size() > kMaxTrackedUrl) return false;
    std::size_t scheme = starts_with_nocase(url, "https://")  ? 8
                         : starts_with_nocase(url, "http://") ? 7
                                                              : 0;
    if (scheme == 0 || url.size() == scheme) return false;
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    return true;
}

std::string open_link(std::string_view base, const std::string& secret,
                      const std::string& delivery_id) {
    return link(base, "open", sign_link(secret, {"o", delivery_id}));
}

std::string click_link(std::string_view base, const std::string& secret,
                       const std::string& delivery_id, const std::string& url) {
    std::string token = sign_link(secret, {"c", delivery_id, url});
    if (token.size() > kMaxLinkToken) return {};
    return link(base, "click", token);
}

std::string url_origin(std::string_view url) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    const std::size_t end = url.find_first_of("/?#", scheme + 3);
    std::string_view origin = url.substr(0, end);
    // Credentials before '@' are not part of where it leads.
    if (auto at = origin.rfind('@'); at != std::string_view::npos && at > scheme)
        return std::string(origin.substr(0, scheme + 3)) + std::string(origin.substr(at + 1));
    return std::string(origin);
}

std::optional<TrackedLink> verify_tracking_token(const std::string& secret, TrackKind kind,
                                                 const std::string& token) {
    auto fields = verify_link(secret, token);
    if (!fields) return std::nullopt;
    const auto& f = *fields;
    TrackedLink t;
    t.kind = kind;
    if (kind == TrackKind::open && f.size() == 2 && f[0] == "o") {
        t.delivery_id = f[1];
    } else if (kind == TrackKind::click && f.size() == 3 && f[0] == "c" && trackable_url(f[2])) {
        t.delivery_id = f[1];
        t.url = f[2];
    } else {
        return std::nullopt;
    }
    if (t.delivery_id.empty()) return std::nullopt;
    return t;
}

}  // namespace notify
