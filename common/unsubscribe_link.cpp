// unsubscribe_link.cpp - signing and checking one-click unsubscribe tokens.
//
// A token is two base64url parts joined by '.': the target as a compact JSON
// array (["u", USER, CATEGORY] or ["a", CHANNEL, ADDRESS, CATEGORY]) and the
// HMAC-SHA256 of that first part under the secret. The check recomputes the MAC
// and compares in constant time before it decodes anything.
#include "unsubscribe_link.hpp"

#include <nlohmann/json.hpp>

#include "store/store.hpp"
#include "util/crypto.hpp"
#include "util/json_parse.hpp"

namespace notify {

using nlohmann::json;

namespace {

constexpr const char* kSecretSetting = "unsubscribe.secret";
constexpr size_t kMaxToken = 4096;  // longer than any link we make

int base64url_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// Unpadded base64url to bytes; nullopt for any other character or a length
// that no encoding produces.
std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        int v = base64url_value(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

std::string signature(const std::string& secret, std::string_view payload) {
    return util::base64url(util::hmac_sha256(secret, payload));
}

}  // namespace

Expected<std::string> unsubscribe_secret(const Config& config, store::Store& store) {
    const std::string& configured = config.preferences.unsubscribe_secret;
    if (!configured.empty()) {
        auto secret = resolve_secret(configured);
        if (!secret) return secret.error();
        if (secret->empty())
            return make_error(ErrorKind::invalid, "missing_secret",
                              "preferences.unsubscribe_secret resolves to an empty secret");
        return *secret;
    }
    // The first daemon that needs it makes it; every later one reads the same.
    return store.setting_or_insert(kSecretSetting, util::base64url(util::random_bytes(32)));
}

std::string unsubscribe_token(const std::string& secret, const UnsubscribeTarget& target) {
    json fields = target.user_id.empty()
                      ? json::array({"a", target.channel, target.address, target.category})
                      : json::array({"u", target.user_id, target.category});
    std::string payload =
        util::base64url(fields.dump(-1, ' ', false, json::error_handler_t::replace));
    return payload + "." + signature(secret, payload);
}

std::string unsubscribe_url(const Config& config, const std::string& secret,
                            const UnsubscribeTarget& target) {
    std::string base = config.preferences.unsubscribe_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/" + unsubscribe_token(secret, target);
}

std::optional<UnsubscribeTarget> verify_unsubscribe_token(const std::string& secret,
                                                          const std::string& token) {
    if (token.size() > kMaxToken) return std::nullopt;
    auto dot = token.find('.');
    if (dot == std::string::npos || dot == 0) return std::nullopt;
    std::string_view payload(token.data(), dot);
    std::string_view mac(token.data() + dot + 1, token.size() - dot - 1);
    if (!util::constant_time_equal(mac, signature(secret, payload))) return std::nullopt;

    auto text = base64url_decode(payload);
    if (!text) return std::nullopt;
    json fields = util::json_or_discarded(*text);
    if (!fields.is_array() || fields.empty()) return std::nullopt;
    for (const auto& f : fields)
        if (!f.is_string()) return std::nullopt;
    UnsubscribeTarget t;
    const std::string kind = fields[0];
    if (kind == "u" && fields.size() == 3) {
        t.user_id = fields[1];
        t.category = fields[2];
        if (t.user_id.empty()) return std::nullopt;
        return t;
    }
    if (kind == "a" && fields.size() == 4) {
        t.channel = fields[1];
        t.address = fields[2];
        t.category = fields[3];
        if (t.channel.empty() || t.address.empty()) return std::nullopt;
        return t;
    }
    return std::nullopt;
}

}  // namespace notify
