// registry.cpp - each provider type's adapter: how it checks a provider's
// table and how it builds the adapter, paired with the type's descriptor
// (providers/types.hpp, one list for both).
#include "channels/registry.hpp"

#include <nlohmann/json.hpp>

#include "channels/adapter.hpp"
#include "channels/receipt.hpp"
#include "providers/types.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::channels {

// What each adapter file (channels/<type>.cpp) defines.
#define NOTIFY_DECLARE_ADAPTER(ns)                                          \
    namespace ns {                                                          \
    Status validate(const ProviderConfig& provider);                        \
    Expected<std::unique_ptr<Adapter>> make(const ProviderConfig& provider, \
                                            const AdapterOptions& options); \
    }
NOTIFY_PROVIDER_TYPES(NOTIFY_DECLARE_ADAPTER)
#undef NOTIFY_DECLARE_ADAPTER

namespace {

using ProviderValidator = Status(const ProviderConfig&);
using AdapterFactory = Expected<std::unique_ptr<Adapter>>(const ProviderConfig&,
                                                          const AdapterOptions&);

struct RegisteredAdapter {
    const ProviderType* type;
    ProviderValidator* validate;  // its keys, their types, URLs, secret references
    AdapterFactory* make;
};

const RegisteredAdapter* find_adapter(std::string_view type) {
#define NOTIFY_ADAPTER_ENTRY(ns) {&providers::ns::type, &ns::validate, &ns::make},
    static const std::vector<RegisteredAdapter> adapters = {
        NOTIFY_PROVIDER_TYPES(NOTIFY_ADAPTER_ENTRY)};
#undef NOTIFY_ADAPTER_ENTRY
    for (const RegisteredAdapter& a : adapters)
        if (type == a.type->name) return &a;
    return nullptr;
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

Status validate_provider(const ProviderConfig& provider) {
    const RegisteredAdapter* a = find_adapter(provider.type);
    if (!a) return unknown_type(provider);
    if (auto st = a->validate(provider); !st) return st;
    if (auto st = connections_apply(*a->type, provider); !st) return st;
    auto receipts = make_receipt_reader(provider);  // its receipt keys
    return receipts ? ok() : Status(receipts.error());
}

Expected<std::unique_ptr<Adapter>> make_adapter(const ProviderConfig& provider,
                                                const AdapterOptions& options) {
    const RegisteredAdapter* a = find_adapter(provider.type);
    if (!a) return unknown_type(provider);
    return a->make(provider, options);
}

}  // namespace notify::channels
