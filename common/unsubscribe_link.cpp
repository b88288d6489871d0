// unsubscribe_link.cpp - signing and checking one-click unsubscribe tokens.
//
// A token (signed_link.hpp) holds ["u", USER, CATEGORY] or ["a", CHANNEL,
// ADDRESS, CATEGORY].
#include "unsubscribe_link.hpp"

#include "signed_link.hpp"

namespace notify {

Expected<std::string> unsubscribe_secret(const Config& config, store::Store& store) {
    return link_secret(config.preferences.unsubscribe_secret, "preferences.unsubscribe_secret",
                       "unsubscribe.secret", store);
}

std::string unsubscribe_token(const std::string& secret, const UnsubscribeTarget& target) {
    return sign_link(
        secret, target.user_id.empty()
                    ? std::vector<std::string>{"a", target.channel, target.address, target.category}
                    : std::vector<std::string>{"u", target.user_id, target.category});
}

std::string unsubscribe_url(const Config& config, const std::string& secret,
                            const UnsubscribeTarget& target) {
    std::string base = config.preferences.unsubscribe_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/" + unsubscribe_token(secret, target);
}

std::optional<UnsubscribeTarget> verify_unsubscribe_token(const std::string& secret,
                                                          const std::string& token) {
    auto fields = verify_link(secret, token);
    if (!fields) return std::nullopt;
    const auto& f = *fields;
    UnsubscribeTarget t;
    if (f[0] == "u" && f.size() == 3) {
        t.user_id = f[1];
        t.category = f[2];
        if (t.user_id.empty()) return std::nullopt;
        return t;
    }
    if (f[0] == "a" && f.size() == 4) {
        t.channel = f[1];
        t.address = f[2];
        t.category = f[3];
        if (t.channel.empty() || t.address.empty()) return std::nullopt;
        return t;
    }
    return std::nullopt;
}

}  // namespace notify
