// signed_link.cpp - making and checking signed link tokens; see signed_link.hpp.
#include "signed_link.hpp"

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "store/store.hpp"
#include "util/crypto.hpp"
#include "util/json_parse.hpp"

namespace notify {

using nlohmann::json;

namespace {

std::string signature(const std::string& secret, std::string_view payload) {
    return util::base64url(util::hmac_sha256(secret, payload));
}

}  // namespace

Expected<std::string> link_secret(const std::string& configured, const char* key,
                                  const char* setting, store::Store& store) {
    if (!configured.empty()) {
        auto secret = resolve_secret(configured);
        if (!secret) return secret.error();
        if (secret->empty())
            return make_error(ErrorKind::invalid, "missing_secret",
                              std::string(key) + " resolves to an empty secret");
        return *secret;
    }
    return store.setting_or_insert(setting, util::base64url(util::random_bytes(32)));
}

std::string sign_link(const std::string& secret, const std::vector<std::string>& fields) {
    std::string payload =
        util::base64url(json(fields).dump(-1, ' ', false, json::error_handler_t::replace));
    return payload + "." + signature(secret, payload);
}

std::optional<std::vector<std::string>> verify_link(const std::string& secret,
                                                    const std::string& token) {
    if (token.size() > kMaxLinkToken) return std::nullopt;
    auto dot = token.find('.');
    if (dot == std::string::npos || dot == 0) return std::nullopt;
    std::string_view payload(token.data(), dot);
    std::string_view mac(token.data() + dot + 1, token.size() - dot - 1);
    if (!util::constant_time_equal(mac, signature(secret, payload))) return std::nullopt;

    auto text = util::base64url_decode(payload);
    if (!text) return std::nullopt;
    json fields = util::json_or_discarded(*text);
    if (!fields.is_array() || fields.empty()) return std::nullopt;
    std::vector<std::string> out;
    out.reserve(fields.size());
    for (const auto& f : fields) {
        if (!f.is_string()) return std::nullopt;
        out.push_back(f.get<std::string>());
    }
    return out;
}

}  // namespace notify
