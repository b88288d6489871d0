// address.hpp - recipient checks at the door, by the type of the channel's first
// provider (its descriptor's AddressKind and address_form, provider_type.hpp):
// email addresses, E.164 phone numbers, a type's own form (a Telegram chat id,
// a QQ number, a device token), anything short and non-empty for the rest. A
// bad address is refused before anything is stored.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace notify {

// A bare address as RFC 5321 allows in practice: one '@', a non-empty local
// part of atext characters and single dots (or a quoted string), and a domain
// of at least two valid labels (or an address literal in brackets). Display
// names ("Ann <ann@example.com>") are refused.
bool is_email_address(std::string_view text);

// "+8613800138000": a leading '+', then a number that libphonenumber knows to
// be valid for its country. Defined by notify_phone (phone/e164.cpp), which the
// daemons link, or by notify_phone_loader (phone/loader.cpp), notifyctl's, which
// loads it as a module on first use.
bool is_e164_number(std::string_view text);

// What notifyctl's is_e164_number throws when it cannot load the phone module.
struct PhoneCheckUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Checks the recipients of one notification for a channel of `channel_type`.
// `field` names the input field in errors ("to", or "notifications[3].to").
Status check_recipients(const std::vector<std::string>& to, std::string_view channel_type,
                        const std::string& channel, const std::string& field);

}  // namespace notify
