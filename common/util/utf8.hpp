// utf8.hpp - UTF-8 byte by byte: where a sequence ends, and a code point
// written out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace notify::util {

namespace utf8_detail {
// For a lead byte: how long its sequence is and the range its second byte
// must be in (narrower after E0, ED, F0 and F4); 0 for a byte that leads none.
struct Lead {
    std::size_t length = 0;
    unsigned char lo = 0x80, hi = 0xbf;
};
inline Lead lead(unsigned char c) {
    if (c >= 0xc2 && c <= 0xdf) return {2};
    if (c >= 0xe0 && c <= 0xef)
        return {3, static_cast<unsigned char>(c == 0xe0 ? 0xa0 : 0x80),
                static_cast<unsigned char>(c == 0xed ? 0x9f : 0xbf)};
    if (c >= 0xf0 && c <= 0xf4)
        return {4, static_cast<unsigned char>(c == 0xf0 ? 0x90 : 0x80),
                static_cast<unsigned char>(c == 0xf4 ? 0x8f : 0xbf)};
    return {};
}
// How many bytes from s[i] on continue the sequence `l` leads (s[i] included).
inline std::size_t continued(std::string_view s, std::size_t i, Lead l) {
    std::size_t k = 1;
    for (; k < l.length && i + k < s.size(); ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < (k == 1 ? l.lo : 0x80) || b > (k == 1 ? l.hi : 0xbf)) break;
    }
    return k;
}
}  // namespace utf8_detail

// The length of the well-formed UTF-8 sequence at `s[i]` (1 to 4), or 0 when
// there is none there: a stray continuation byte, a sequence cut short, an
// overlong form, a surrogate, or a code point past U+10FFFF.
inline std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    const utf8_detail::Lead l = utf8_detail::lead(c);
    if (l.length == 0) return 0;
    return utf8_detail::continued(s, i, l) == l.length ? l.length : 0;
}

// Where utf8_length() finds none: how many bytes one U+FFFD stands for (the
// lead byte and whatever of its sequence came before it went wrong, as
// Unicode's "maximal subpart" practice and nlohmann's replacement do).
inline std::size_t utf8_invalid_length(std::string_view s, std::size_t i) {
    const utf8_detail::Lead l = utf8_detail::lead(static_cast<unsigned char>(s[i]));
    return l.length == 0 ? 1 : utf8_detail::continued(s, i, l);
}

// Appends code point `cp` (a Unicode scalar value: not a surrogate, at most
// U+10FFFF) as UTF-8.
inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

}  // namespace notify::util
