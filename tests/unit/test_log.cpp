// test_log.cpp - log lines stay bounded whatever they are given.
#include <catch2/catch.hpp>

#include <string>

#include "util/log.hpp"
#include "util/strings.hpp"

using notify::log::clip;

TEST_CASE("clip keeps short values and cuts long ones with the count left out") {
    SECTION("a short value is kept whole") {
        CHECK(clip("abc", 8) == "abc");
        CHECK(clip("", 0).empty());
    }
    SECTION("a long value is cut and says how much is left out") {
        std::string url(1 << 20, 'a');
        std::string out = clip(url, 256);
        CHECK(out ==
              std::string(256, 'a') + "...(" + std::to_string((1 << 20) - 256) + " bytes more)");
    }
    SECTION("the cut never splits a UTF-8 character") {
        std::string text = "ab\xe4\xbd\xa0\xe5\xa5\xbd";  // "ab你好"
        CHECK(clip(text, 3) == "ab...(6 bytes more)");
        CHECK(clip(text, 5) == "ab\xe4\xbd\xa0...(3 bytes more)");
    }
}

TEST_CASE("cut_utf8 keeps whole characters only") {
    using notify::util::cut_utf8;
    std::string text = "ab\xe4\xbd\xa0\xe5\xa5\xbd";  // "ab你好"
    CHECK(cut_utf8(text, 100) == text);
    CHECK(cut_utf8(text, 8) == text);
    CHECK(cut_utf8(text, 7) == "ab\xe4\xbd\xa0");
    CHECK(cut_utf8(text, 4) == "ab");
    CHECK(cut_utf8(text, 2) == "ab");
    CHECK(cut_utf8("\xe4\xbd\xa0", 2).empty());
    CHECK(cut_utf8("", 0).empty());
}
