// e164.cpp - is_e164_number (address.hpp) through libphonenumber. It is
// notify_phone, apart from the rest of the address checks, because
// libphonenumber brings protobuf and ICU: the daemons link it, notifyctl
// loads it as a module when it first checks a number (loader.cpp).
#include <phonenumbers/phonenumberutil.h>

#include "phone/e164.hpp"

#include "address.hpp"

namespace notify {

namespace phone {

bool valid_e164(std::string_view text) {
    // E.164: '+' and at most 15 digits; libphonenumber decides whether the number
    // exists in its country's plan. Region "ZZ" makes the '+' mandatory.
    if (text.size() < 3 || text.size() > 16 || text.front() != '+') return false;
    for (char c : text.substr(1))
        if (c < '0' || c > '9') return false;
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(std::string(text), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
        return false;
    return util->IsValidNumber(number);
}

}  // namespace phone

bool is_e164_number(std::string_view text) {
    return phone::valid_e164(text);
}

}  // namespace notify
