// e164.hpp - the phone number check itself, under a name of its own (see
// module.cpp for why); everything else calls is_e164_number (address.hpp).
#pragma once

#include <string_view>

namespace notify::phone {

// is_e164_number's answer, from libphonenumber.
bool valid_e164(std::string_view text);

}  // namespace notify::phone
