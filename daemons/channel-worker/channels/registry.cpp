// registry.cpp - the one table of provider types. A new adapter is a new file
// in this folder defining its descriptor, notify::channels::<type>::type (see
// provider_type.hpp), plus one line below (and its source in CMakeLists.txt).
#include "channels/registry.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "channels/adapter.hpp"
#include "channels/receipt.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::channels {

// Each type's descriptor, defined beside its adapter; one line per type.
#define NOTIFY_PROVIDER_TYPES(X) \
    X(file)                      \
    X(smtp)                      \
    X(webhook)                   \
    X(dingtalk_robot)            \
    X(dingtalk_work_notice)      \
    X(wecom_robot)               \
    X(wecom_app)                 \
    X(feishu_bot)                \
    X(wechat_template)           \
    X(onebot)                    \
    X(aliyun_sms)                \
    X(tencent_sms)               \
    X(twilio)                    \
    X(slack)                     \
    X(telegram)                  \
    X(apns)                      \
    X(fcm)                       \
    X(webpush)                   \
    X(jpush)                     \
    X(inbox)

#define NOTIFY_DECLARE_TYPE(ns)     \
    namespace ns {                  \
    extern const ProviderType type; \
    }
NOTIFY_PROVIDER_TYPES(NOTIFY_DECLARE_TYPE)
#undef NOTIFY_DECLARE_TYPE

namespace {

const std::vector<const ProviderType*>& sorted_types() {
#define NOTIFY_TYPE_ENTRY(ns) &ns::type,
    static const std::vector<const ProviderType*> types = [] {
        std::vector<const ProviderType*> out = {NOTIFY_PROVIDER_TYPES(NOTIFY_TYPE_ENTRY)};
        std::sort(out.begin(), out.end(), [](const ProviderType* a, const ProviderType* b) {
            return std::string_view(a->name) < std::string_view(b->name);
        });
        return out;
    }();
#undef NOTIFY_TYPE_ENTRY
    return types;
}

Error unknown_type(const ProviderConfig& p) {
    std::string hint = util::did_you_mean(p.type, known_types());
    if (hint.empty()) hint = " (known types: " + util::join(known_types(), ", ") + ")";
    return make_error(ErrorKind::invalid, "invalid_provider",
                      "provider '" + p.name + "': unknown type '" + p.type + "'" + hint, "type");
}

// `max_connections` holds attempts that each take a connection of their own. A
// type whose attempts share one HTTP/2 connection, or whose items the router
// writes into the store itself (a user's inbox), has nothing it could hold:
// set there, it is a mistake to say so, not a limit to ignore.
Status connections_apply(const ProviderType& t, const ProviderConfig& p) {
    if (!t.multiplexed && t.address != AddressKind::user) return ok();
    const auto settings = util::json_or_discarded(p.settings_json);
    if (!settings.is_object() || !settings.contains("max_connections")) return ok();
    const std::string why = t.multiplexed ? "which sends every attempt over one HTTP/2 connection"
                                          : "whose items the router writes into the store itself";
    return make_error(ErrorKind::invalid, "invalid_provider",
                      "provider '" + p.name + "': 'max_connections' does not apply to type '" +
                          p.type + "', " + why,
                      "max_connections");
}

}  // namespace

std::vector<std::string> known_types() {
    std::vector<std::string> out;
    for (const ProviderType* t : sorted_types()) out.emplace_back(t->name);
    return out;
}

Status validate_provider(const ProviderConfig& provider) {
    const ProviderType* t = find_provider_type(provider.type);
    if (!t) return unknown_type(provider);
    if (auto st = t->validate(provider); !st) return st;
    if (auto st = connections_apply(*t, provider); !st) return st;
    auto receipts = make_receipt_reader(provider);  // its receipt keys
    return receipts ? ok() : Status(receipts.error());
}

const ProviderKeys* provider_keys(const std::string& type) {
    const ProviderType* t = find_provider_type(type);
    return t ? &t->keys : nullptr;
}

Expected<std::unique_ptr<Adapter>> make_adapter(const ProviderConfig& provider,
                                                const AdapterOptions& options) {
    const ProviderType* t = find_provider_type(provider.type);
    if (!t) return unknown_type(provider);
    return t->make(provider, options);
}

}  // namespace notify::channels

namespace notify {

const std::vector<const ProviderType*>& provider_types() {
    return channels::sorted_types();
}

const ProviderType* find_provider_type(std::string_view name) {
    for (const ProviderType* t : channels::sorted_types())
        if (name == t->name) return t;
    return nullptr;
}

}  // namespace notify
