// provider_type.hpp - everything notify knows of one provider type, declared
// once, in common/providers/<type>.cpp (the list is providers/types.hpp).
//
// The door checks recipients by `address` and `address_form`, the router finds
// directory users' addresses by `address`, takes `rate_limit` when a provider
// sets none and asks for a template when `vendor_templates` is set; `notifyctl
// config show` masks the `keys` marked secret and `notifyctl config types`
// describes them all. How a type reads its keys and sends is its adapter's
// (daemons/channel-worker/channels/<type>.cpp, paired with the descriptor by
// the worker's registry): notifyctl and the daemons other than the worker
// know the types without linking the adapters and libcurl.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "util/error.hpp"

namespace notify {

// How a recipient of the type is written, and so where a directory user's
// address for a channel of the type comes from.
enum class AddressKind {
    email,   // a bare email address; a user's `email` when they have no identity there
    phone,   // an E.164 number; a user's `phone` when they have no identity there
    handle,  // the type's own form (chat id, device token, URL...): the user's identity
    user,    // a directory user, named by id: only user: and group: recipients
};

std::string_view address_kind_name(AddressKind kind);  // "email", "phone", "handle"

// One key of a provider's table, and whether its value is a secret: a secret is
// read only through Settings::secret (which resolves "env:" and "file:"), and
// is shown as "********" (or its reference) by `config show` and every message.
// A table under a secret key (webhook `headers`) has every value masked.
struct ProviderKey {
    const char* name;
    bool secret = false;
};

inline constexpr bool kSecret = true;

using ProviderKeys = std::vector<ProviderKey>;

// Whether `key` is declared in `keys` as a secret.
bool is_secret(const ProviderKeys& keys, std::string_view key);

struct ProviderType {
    const char* name;     // the `type` of a [providers.NAME] table
    const char* summary;  // what it sends through, one line
    const ProviderKeys& keys;
    AddressKind address = AddressKind::handle;
    // What a recipient must look like ("a Telegram chat id such as ..."), or ""
    // when `recipient` is fine. nullptr: any text of 1 to 256 bytes.
    std::string (*address_form)(std::string_view recipient) = nullptr;
    // Per provider, when its table sets no `rate_limit`: the vendor's documented limit.
    std::vector<FrequencyCap> rate_limit = {};
    // Sends only from templates registered at the vendor (its `templates` table).
    bool vendor_templates = false;
    // Posts to a chat that many read (a group robot's): no one-time code goes
    // through it.
    bool group_chat = false;
    // Carries many attempts at once on one connection (HTTP/2): the router
    // does not hold it to its provider's max_connections.
    bool multiplexed = false;
};

// The type called `name`, or nullptr.
const ProviderType* find_provider_type(std::string_view name);

// Every type, sorted by name.
const std::vector<const ProviderType*>& provider_types();

// Their names, sorted.
std::vector<std::string> known_types();

// The keys a provider type takes, secrets marked; nullptr for an unknown type.
const ProviderKeys* provider_keys(std::string_view type);

// The kind of address a provider type takes; handle for an unknown type.
AddressKind address_kind(std::string_view provider_type);

}  // namespace notify
