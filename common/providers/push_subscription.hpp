// push_subscription.hpp - a browser's push subscription, as its
// PushSubscription.toJSON() writes it: {"endpoint": "https://...", "keys":
// {"p256dh": ..., "auth": ...}}. The door checks a webpush recipient with it
// and the webpush adapter encrypts to it.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::providers {

struct Subscription {
    std::string endpoint;  // an http:// or https:// URL
    std::string p256dh;    // the browser's P-256 public key, 65 bytes
    std::string auth;      // the authentication secret, 16 bytes
};

// The subscription in `text` (at most 2048 bytes), or why it is not one.
Expected<Subscription> read_subscription(std::string_view text);

}  // namespace notify::providers
