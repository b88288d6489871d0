// test_crypto_base64url.cpp - util::base64url_decode, which reads the keys,
// auth secrets and tokens of the push providers: with or without padding, and
// nothing outside its alphabet.
#include <catch2/catch.hpp>

#include <string>

#include "util/crypto.hpp"

using namespace notify;

TEST_CASE("base64url decodes what base64url encodes, with or without padding", "[crypto]") {
    SECTION("every length of a run of bytes round-trips") {
        std::string bytes;
        for (int n = 0; n < 40; ++n) {
            auto decoded = util::base64url_decode(util::base64url(bytes));
            REQUIRE(decoded);
            CHECK(*decoded == bytes);
            bytes += static_cast<char>(n * 37 + 250);
        }
    }
    SECTION("padding may be there or not") {
        CHECK(*util::base64url_decode("QQ") == "A");
        CHECK(*util::base64url_decode("QQ==") == "A");
        CHECK(*util::base64url_decode("QUI") == "AB");
        CHECK(*util::base64url_decode("QUI=") == "AB");
        CHECK(*util::base64url_decode("QUJD") == "ABC");
        CHECK(*util::base64url_decode("") == "");
    }
    SECTION("the URL-safe letters are - and _") {
        CHECK(*util::base64url_decode("-_8") == "\xfb\xff");
    }
}

TEST_CASE("base64url refuses text that no encoder makes", "[crypto]") {
    for (const char* text :
         {"QQ=", "QQ===", "Q", "QUJDR", "QQ==QQ", "a+b/", "QQ QQ", "QQ\n", "QU=I"}) {
        INFO("text: " << text);
        auto decoded = util::base64url_decode(text);
        REQUIRE_FALSE(decoded);
        CHECK(decoded.error().kind == ErrorKind::invalid);
        CHECK(decoded.error().code == "invalid_base64url");
    }
    SECTION("the message names the offset, not the text") {
        auto decoded = util::base64url_decode("c2VjcmV0+2VjcmV0");
        REQUIRE_FALSE(decoded);
        CHECK(decoded.error().message ==
              "base64url text has a character outside its alphabet at offset 8");
    }
}
