// onebot.cpp - what notify knows of the `onebot` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/onebot.cpp.
#include "providers/types.hpp"
#include "util/strings.hpp"

namespace notify::providers::onebot {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {
    {"endpoint"}, {"access_token", kSecret}, {"auto_escape"}, {"timeout"}};

namespace {

// A QQ number, or "group/NUMBER" for a group.
std::string onebot_address(std::string_view r) {
    if (r.size() <= 20 && util::all_digits(r)) return "";
    if (r.size() <= 26 && r.substr(0, 6) == "group/" && util::all_digits(r.substr(6))) return "";
    return "a QQ number such as '10001', or 'group/NUMBER' for a group";
}

}  // namespace

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "onebot",
    .summary = "QQ through a OneBot v11 HTTP bridge",
    .keys = keys,
    .address_form = onebot_address,
};

}  // namespace notify::providers::onebot
