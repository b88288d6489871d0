// test_log.cpp - log lines stay bounded whatever they are given.
#include <catch2/catch.hpp>

#include <string>

#include "util/log.hpp"

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
