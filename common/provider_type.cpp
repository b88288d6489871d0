// provider_type.cpp - the small helpers over provider type descriptors. The
// descriptors themselves are the adapters' (see provider_type.hpp).
#include "provider_type.hpp"

namespace notify {

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

AddressKind address_kind(std::string_view provider_type) {
    const ProviderType* t = find_provider_type(provider_type);
    return t ? t->address : AddressKind::handle;
}

}  // namespace notify
