// push_subscription.cpp - reads a browser's push subscription (see the header).
#include "providers/push_subscription.hpp"

#include <optional>

#include <nlohmann/json.hpp>
#include "util/crypto.hpp"

#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::providers {

namespace {

constexpr size_t kMaxSubscription = 2048;

}  // namespace

Expected<Subscription> read_subscription(std::string_view text) {
    auto bad = [](const std::string& why) {
        return make_error(ErrorKind::invalid, "invalid_subscription",
                          "not a push subscription: " + why);
    };
    if (text.size() > kMaxSubscription) return bad("over 2048 bytes");
    auto j = util::json_or_discarded(text);
    if (!j.is_object()) return bad("it must be the JSON of PushSubscription.toJSON()");
    Subscription out;
    auto endpoint = j.find("endpoint");
    if (endpoint == j.end() || !endpoint->is_string()) return bad("it has no 'endpoint'");
    out.endpoint = endpoint->get<std::string>();
    if (!util::starts_with(out.endpoint, "https://") && !util::starts_with(out.endpoint, "http://"))
        return bad("its endpoint must be an https:// URL");
    auto keys_it = j.find("keys");
    if (keys_it == j.end() || !keys_it->is_object()) return bad("it has no 'keys'");
    auto field = [&](const char* name) -> std::optional<std::string> {
        auto it = keys_it->find(name);
        if (it == keys_it->end() || !it->is_string()) return std::nullopt;
        auto bytes = util::base64url_decode(it->get<std::string>());
        if (!bytes) return std::nullopt;
        return *bytes;
    };
    auto p256dh = field("p256dh");
    if (!p256dh || p256dh->size() != 65 || (*p256dh)[0] != 0x04)
        return bad("keys.p256dh must be a P-256 public key (base64url of 65 bytes)");
    auto auth = field("auth");
    if (!auth || auth->size() != 16) return bad("keys.auth must be base64url of 16 bytes");
    out.p256dh = std::move(*p256dh);
    out.auth = std::move(*auth);
    return out;
}

}  // namespace notify::providers
