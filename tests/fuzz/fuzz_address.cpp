// fuzz_address.cpp - recipient checks at the door (common/address.cpp): email
// addresses, E.164 phone numbers through libphonenumber, and the rule of each
// kind of channel. The input is one recipient; NUL bytes separate several.
#include "address.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto parts = notify::fuzz::split_input(data, size, 8);
    std::vector<std::string> to(parts.begin(), parts.end());
    for (const auto& r : to) {
        (void)notify::is_email_address(r);
        (void)notify::is_e164_number(r);
    }
    for (const char* type : {"smtp", "twilio", "aliyun-sms", "telegram", "onebot", "webhook"})
        (void)notify::check_recipients(to, type, "ch", "to");
    return 0;
}
