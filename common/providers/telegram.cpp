// telegram.cpp - what notify knows of the `telegram` provider type: its keys and its
// descriptor (provider_type.hpp). Its adapter, which reads the keys and sends,
// is daemons/channel-worker/channels/telegram.cpp.
#include "providers/types.hpp"
#include "util/strings.hpp"

namespace notify::providers::telegram {

// The keys of a provider of this type; a secret is never shown (see
// provider_type.hpp).
extern const ProviderKeys keys = {{"endpoint"},   {"bot_token", kSecret},   {"chat_id"},
                                  {"parse_mode"}, {"disable_notification"}, {"overflow"},
                                  {"timeout"}};

namespace {

// A chat id ("-1001234567890") or a public channel's username ("@channelname").
std::string telegram_address(std::string_view r) {
    std::string_view id = r.substr(!r.empty() && r.front() == '-' ? 1 : 0);
    if (util::all_digits(id) && id.size() <= 32) return "";
    if (!r.empty() && r.front() == '@' && r.size() >= 6 && r.size() <= 33 &&
        util::all_alnum(r.substr(1), "_"))
        return "";
    return "a Telegram chat id such as '-1001234567890' or '@channelname'";
}

}  // namespace

// The descriptor: what the rest of notify knows of this type.
extern const ProviderType type = {
    .name = "telegram",
    .summary = "the Telegram Bot API's sendMessage",
    .keys = keys,
    .address_form = telegram_address,
    .rate_limit = {{30, 1'000}},
};

}  // namespace notify::providers::telegram
