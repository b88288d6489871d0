// Z85 as ZeroMQ's RFC 32 writes it, and the keys written in it.
#include <catch2/catch.hpp>

#include "util/z85.hpp"

using namespace notify;

TEST_CASE("Z85 is RFC 32's encoding", "[curve]") {
    const std::string hello{'\x86', '\x4F', '\xD2', '\x6F', '\xB5', '\x59', '\xF7', '\x5B'};
    CHECK(util::z85_encode(hello) == "HelloWorld");
    REQUIRE(util::z85_decode("HelloWorld"));
    CHECK(*util::z85_decode("HelloWorld") == hello);
    CHECK(util::z85_encode("abc").empty());  // not a multiple of 4
    CHECK_FALSE(
        util::z85_decode("Hello"  // not a multiple of 5
                         "Wor"));
    CHECK_FALSE(util::z85_decode("Hello World"));  // a space is not in the alphabet
    CHECK_FALSE(util::z85_decode("#####"));        // 85^5 - 1 is over 32 bits
    CHECK(util::z85_decode("%nSc0") == std::string(4, '\xFF'));
    const std::string all = [] {
        std::string s;
        for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
        return s;
    }();
    CHECK(util::z85_decode(util::z85_encode(all)) == all);
}

TEST_CASE("a CURVE key is 40 characters of Z85", "[curve]") {
    CHECK(util::is_z85_key("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"));
    CHECK_FALSE(util::is_z85_key("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI"));
    CHECK_FALSE(util::is_z85_key("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI~"));
    CHECK_FALSE(util::is_z85_key(""));
}
