// sms_size.hpp - how long a text is as an SMS, and how many segments it takes.
//
// A text goes out in the GSM 03.38 7-bit alphabet when every character is in
// its basic table or its extension table (an extension character, such as
// '€', '[', '{' or '~', takes two septets: the escape and itself); otherwise
// in UCS-2, where a character outside the Basic Multilingual Plane (most
// emoji) takes two code units. One segment holds 160 septets or 70 code
// units; a longer text is sent as concatenated segments of 153 septets or 67
// code units each (the rest carries the concatenation header).
//
// The SMS adapters record the figures with every attempt, in the form
// "length=75 segments=2 encoding=UCS-2", so operators can see what a message
// cost. with_detail() attaches them to whatever an attempt ends with.
#pragma once

#include <string>
#include <string_view>

#include "channels/adapter.hpp"

namespace notify::channels {

enum class SmsEncoding { gsm7, ucs2 };

struct SmsSize {
    size_t characters = 0;  // septets (GSM-7) or UTF-16 code units (UCS-2)
    SmsEncoding encoding = SmsEncoding::gsm7;
    size_t segments = 0;  // 0 for an empty text
};

// Invalid UTF-8 bytes count as one UCS-2 character each (a replacement character).
SmsSize sms_size(std::string_view utf8);

// "length=N segments=S encoding=GSM-7" or "... encoding=UCS-2".
std::string describe(const SmsSize& size);

// `started` with `detail` on the Attempt it ends with: at once when it is an
// Attempt, else when its transfer (or the transfers it continues with) end.
Started with_detail(Started started, std::string detail);

}  // namespace notify::channels
