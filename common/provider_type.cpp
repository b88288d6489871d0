// provider_type.cpp - the table of provider type descriptors (one line each in
// providers/types.hpp) and the small helpers over it.
#include "provider_type.hpp"

#include <algorithm>

#include "providers/types.hpp"

namespace notify {

namespace {

const std::vector<const ProviderType*>& sorted_types() {
#define NOTIFY_TYPE_ENTRY(ns) &providers::ns::type,
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

}  // namespace

std::string_view address_kind_name(AddressKind kind) {
    switch (kind) {
        case AddressKind::email:
            return "email";
        case AddressKind::phone:
            return "phone";
        case AddressKind::user:
            return "user";
        case AddressKind::handle:
            break;
    }
    return "handle";
}

bool is_secret(const ProviderKeys& keys, std::string_view key) {
    for (const auto& k : keys)
        if (key == k.name) return k.secret;
    return false;
}

const std::vector<const ProviderType*>& provider_types() {
    return sorted_types();
}

const ProviderType* find_provider_type(std::string_view name) {
    for (const ProviderType* t : sorted_types())
        if (name == t->name) return t;
    return nullptr;
}

std::vector<std::string> known_types() {
    std::vector<std::string> out;
    for (const ProviderType* t : sorted_types()) out.emplace_back(t->name);
    return out;
}

const ProviderKeys* provider_keys(std::string_view type) {
    const ProviderType* t = find_provider_type(type);
    return t ? &t->keys : nullptr;
}

AddressKind address_kind(std::string_view provider_type) {
    const ProviderType* t = find_provider_type(provider_type);
    return t ? t->address : AddressKind::handle;
}

}  // namespace notify
