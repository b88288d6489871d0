// module.hpp - what the phone module (phone.so, built from module.cpp and
// e164.cpp) exports for loader.cpp: one C function, found by dlsym.
#pragma once

#include <cstddef>

// Whether the `size` bytes at `text` are a valid E.164 number (is_e164_number).
extern "C" bool notify_phone_is_e164(const char* text, std::size_t size);

// The name dlsym looks for.
inline constexpr const char* kPhoneModuleSymbol = "notify_phone_is_e164";
