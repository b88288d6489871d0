// module.cpp - the phone module's one entry point (module.hpp).
#include "phone/module.hpp"

#include <string_view>

#include "phone/e164.hpp"

// The module's one exported symbol (the rest is built hidden). It calls
// phone::valid_e164, not is_e164_number: notifyctl defines the latter itself
// (loader.cpp), and a call by that name could bind back to it.
extern "C" __attribute__((visibility("default"))) bool notify_phone_is_e164(const char* text,
                                                                            std::size_t size) {
    return notify::phone::valid_e164(std::string_view(text, size));
}
