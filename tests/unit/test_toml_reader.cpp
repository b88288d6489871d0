#include <catch2/catch.hpp>

#include <toml++/toml.h>

#include "util/utf8.hpp"

// toml++ 3.3's table of non-ASCII horizontal whitespace ends in an
// unreachable branch for the code points in U+00A1-U+0499, U+2C8E-U+3087
// and U+FB36-U+FEFE that are not spaces (Latin-1, Greek, Cyrillic, CJK
// punctuation, kana, Arabic presentation forms). Compiled into a
// sanitized program it is undefined behaviour; the shared library notify
// links answers "not whitespace" for them. This sweep asks the shared
// library (unit_common links it as the programs do; a file that only includes
// the header compiles the parser in) about every such code point where the table decides what is
// kept: the text that follows a line-ending backslash in a multi-line
// string, as templates are written, must keep the character unless it is a
// space.

namespace {

bool unicode_space(char32_t c) {
    return c == 0xA0 || c == 0x1680 || c == 0x180E || (c >= 0x2000 && c <= 0x200B) || c == 0x202F ||
           c == 0x205F || c == 0x2060 || c == 0x3000 || c == 0xFEFF;
}

std::string utf8(char32_t c) {
    std::string s;
    notify::util::append_utf8(s, c);
    return s;
}

}  // namespace

TEST_CASE("text after a line-ending backslash keeps its first non-ASCII character") {
    int wrong = 0;
    char32_t first_wrong = 0;
    for (char32_t c = 0xA0; c <= 0xFEFF; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        const std::string want = unicode_space(c) ? "x" : utf8(c) + "x";
        std::string got;
        try {
            auto doc = toml::parse("text = \"\"\"\\\n  " + utf8(c) + "x\"\"\"\n");
            got = doc["text"].value_or(std::string("(none)"));
        } catch (const toml::parse_error& e) {
            got = std::string(e.description());
        }
        if (got != want && wrong++ == 0) first_wrong = c;
    }
    INFO("first wrong code point: " << static_cast<unsigned>(first_wrong));
    CHECK(wrong == 0);
}
