// send_settings.cpp - reading a provider's `overflow` and `timeout` keys.
#include "channels/send_settings.hpp"

namespace notify::channels {

Expected<SendSettings> read_send_settings(const Settings& settings, Millis default_timeout) {
    SendSettings out;
    auto overflow = read_overflow(settings);
    if (!overflow) return overflow.error();
    out.overflow = *overflow;
    auto timeout = settings.duration("timeout", default_timeout);
    if (!timeout) return timeout.error();
    out.timeout = *timeout;
    return out;
}

}  // namespace notify::channels
