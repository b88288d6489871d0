// test_crypto_web_push.cpp - RFC 8291 encryption: Appendix A reproduced byte for
// byte with every intermediate value, round trips with fresh keys, the size
// limit, and the refusals.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/p256_key.hpp"
#include "crypto/web_push.hpp"
#include "test_crypto_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using crypto::P256Key;
using crypto_test::b64u;
using crypto_test::check_refused;

namespace {

// RFC 8291 Appendix A.
struct Rfc8291 {
    std::string plaintext = "When I grow up, I want to be a watermelon";
    std::string as_public = b64u(
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
    std::string as_private = b64u("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw");
    std::string ua_public = b64u(
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
    std::string ua_private = b64u("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94");
    std::string salt = b64u("DGv6ra1nlYgDCS1FRnbzlw");
    std::string auth = b64u("BTBZMqHH6r4Tts7J_aSIgg");
};

constexpr const char* kRfc8291Body =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS"
    "6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_"
    "Qulcy4a-fN";

}  // namespace

TEST_CASE("RFC 8291 Appendix A is reproduced byte for byte", "[crypto]") {
    const Rfc8291 v;
    auto as_key = P256Key::from_private_scalar(v.as_private);
    REQUIRE(as_key);
    CHECK(as_key->public_point() == v.as_public);

    auto secret = as_key->ecdh(v.ua_public);
    REQUIRE(secret);
    CHECK(util::base64url(*secret) == "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");

    auto keys = crypto::derive_web_push_keys(*secret, v.auth, v.ua_public, v.as_public, v.salt);
    CHECK(util::base64url(keys.prk_key) == "Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k");
    CHECK(util::base64url(keys.ikm) == "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg");
    CHECK(util::base64url(keys.prk) == "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc");
    CHECK(util::base64url(keys.cek) == "oIhVW04MRdy2XN9CiKLxTg");
    CHECK(util::base64url(keys.nonce) == "4h_95klXJ5E_qnoN");

    CHECK(
        util::base64url(crypto::web_push_header(v.salt, v.as_public)) ==
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYW"
        "AmS6TlzAC8wEqKK6PBru3jl7A8");

    auto body = crypto::encrypt_web_push(v.plaintext, v.ua_public, v.auth, *as_key, v.salt);
    REQUIRE(body);
    CHECK(body->size() == 144);
    CHECK(util::base64url(*body) == kRfc8291Body);
    CHECK(util::base64url(body->substr(86)) ==
          "8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ");

    SECTION("the user agent decrypts it") {
        auto ua_key = P256Key::from_private_scalar(v.ua_private);
        REQUIRE(ua_key);
        CHECK(ua_key->public_point() == v.ua_public);
        auto plaintext = crypto::decrypt_web_push(b64u(kRfc8291Body), *ua_key, v.auth);
        REQUIRE(plaintext);
        CHECK(*plaintext == v.plaintext);
    }
}

TEST_CASE("each message has a fresh key and salt, and the user agent reads it", "[crypto]") {
    auto ua_key = P256Key::generate();
    REQUIRE(ua_key);
    const std::string auth = util::random_bytes(16);
    const std::string message = R"({"title":"Build failed","body":"main @ 1a2b3c"})";

    auto first = crypto::encrypt_web_push(message, ua_key->public_point(), auth);
    auto second = crypto::encrypt_web_push(message, ua_key->public_point(), auth);
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->size() == 86 + message.size() + 17);
    CHECK(first->substr(16, 5) == std::string("\x00\x00\x10\x00\x41", 5));  // rs 4096, idlen 65
    CHECK(first->substr(0, 16) != second->substr(0, 16));
    CHECK(first->substr(21, 65) != second->substr(21, 65));
    CHECK(*crypto::decrypt_web_push(*first, *ua_key, auth) == message);
    CHECK(*crypto::decrypt_web_push(*second, *ua_key, auth) == message);

    SECTION("an empty message is one byte of delimiter") {
        auto empty = crypto::encrypt_web_push("", ua_key->public_point(), auth);
        REQUIRE(empty);
        CHECK(empty->size() == 86 + 17);
        CHECK(crypto::decrypt_web_push(*empty, *ua_key, auth)->empty());
    }
    SECTION("the wrong auth secret, an altered body or a cut one do not decrypt") {
        check_refused(crypto::decrypt_web_push(*first, *ua_key, util::random_bytes(16)),
                      "bad_web_push");
        std::string altered = *first;
        altered[100] = static_cast<char>(altered[100] ^ 0x20);
        check_refused(crypto::decrypt_web_push(altered, *ua_key, auth), "bad_web_push");
        check_refused(crypto::decrypt_web_push(first->substr(0, 90), *ua_key, auth),
                      "invalid_web_push");
    }
}

TEST_CASE("a web push message fills at most one 4096-byte record", "[crypto]") {
    auto ua_key = P256Key::generate();
    REQUIRE(ua_key);
    const std::string auth(16, '\x07');
    CHECK(crypto::kWebPushMaxPlaintext == 3993);
    auto largest = crypto::encrypt_web_push(std::string(3993, 'x'), ua_key->public_point(), auth);
    REQUIRE(largest);
    CHECK(largest->size() == 4096);
    CHECK(crypto::decrypt_web_push(*largest, *ua_key, auth)->size() == 3993);
    auto over = crypto::encrypt_web_push(std::string(3994, 'x'), ua_key->public_point(), auth);
    check_refused(over, "payload_too_large");
    CHECK(over.error().kind == ErrorKind::too_large);
    CHECK(over.error().message ==
          "the web push message is 3994 bytes, over the 3993 that fit a 4096-byte record");
}

TEST_CASE("web push refuses subscription keys and salts of the wrong shape", "[crypto]") {
    const Rfc8291 v;
    auto as_key = P256Key::from_private_scalar(v.as_private);
    REQUIRE(as_key);
    SECTION("auth") {
        auto short_auth = crypto::encrypt_web_push("hi", v.ua_public, v.auth.substr(0, 15));
        check_refused(short_auth, "invalid_auth");
        CHECK(short_auth.error().message == "the subscription's auth secret is 16 bytes, not 15");
        check_refused(crypto::encrypt_web_push("hi", v.ua_public, ""), "invalid_auth");
    }
    SECTION("p256dh") {
        check_refused(crypto::encrypt_web_push("hi", v.ua_public.substr(1), v.auth),
                      "invalid_public_key");
        std::string off_curve = v.ua_public;
        off_curve[40] = static_cast<char>(off_curve[40] ^ 1);
        auto refused = crypto::encrypt_web_push("hi", off_curve, v.auth);
        check_refused(refused, "invalid_public_key");
        CHECK(refused.error().message ==
              "the subscription's p256dh: the public key is not a point on the P-256 curve");
    }
    SECTION("salt") {
        check_refused(crypto::encrypt_web_push("hi", v.ua_public, v.auth, *as_key, "short"),
                      "invalid_salt");
    }
}
