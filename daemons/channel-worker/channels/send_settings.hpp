// send_settings.hpp - the two settings every text-carrying HTTP adapter reads
// last and alike: `overflow` (what to do with a text over the vendor's limit,
// see message_limits.hpp) and `timeout` (how long one request may take).
#pragma once

#include "channels/message_limits.hpp"
#include "channels/settings.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::channels {

struct SendSettings {
    Overflow overflow = Overflow::split;
    Millis timeout = 0;
};

// Reads `overflow` (missing: split), then `timeout` (missing: `default_timeout`),
// failing with the first key's error.
Expected<SendSettings> read_send_settings(const Settings& settings, Millis default_timeout);

}  // namespace notify::channels
