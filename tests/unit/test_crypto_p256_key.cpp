// test_crypto_p256_key.cpp - P-256 keys: the forms they load from and export
// to, ES256 in its JWS form (r || s), ECDH, and every refusal with its code.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/p256_key.hpp"
#include "test_crypto_keys.hpp"
#include "test_crypto_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using crypto::P256Key;
using crypto_test::b64u;
using crypto_test::check_refused;

TEST_CASE("a P-256 key loads from PKCS#8 and SEC1 PEM and from its raw scalar", "[crypto]") {
    const std::string public_point = b64u(crypto_test_keys::kEcPublic);
    const std::string scalar = b64u(crypto_test_keys::kEcScalar);
    SECTION("PKCS#8, as Apple's .p8 files are") {
        auto key = P256Key::from_pem(crypto_test_keys::kEcPkcs8Pem);
        REQUIRE(key);
        CHECK(key->public_point() == public_point);
        CHECK(*key->private_scalar() == scalar);
    }
    SECTION("SEC1, with text around the block and a final newline") {
        auto key = P256Key::from_pem(std::string("Apple key AuthKey_ABC123DEFG.p8\n") +
                                     crypto_test_keys::kEcSec1Pem + "\n");
        REQUIRE(key);
        CHECK(key->public_point() == public_point);
    }
    SECTION("SEC1 after the EC PARAMETERS block that openssl ecparam -genkey writes") {
        auto key = P256Key::from_pem(std::string("-----BEGIN EC PARAMETERS-----\n"
                                                 "BggqhkjOPQMBBw==\n"
                                                 "-----END EC PARAMETERS-----\n") +
                                     crypto_test_keys::kEcSec1Pem);
        REQUIRE(key);
        CHECK(key->public_point() == public_point);
    }
    SECTION("the raw 32-byte scalar, as VAPID keys are written") {
        auto key = P256Key::from_private_scalar(scalar);
        REQUIRE(key);
        CHECK(key->public_point() == public_point);
        CHECK(*key->private_scalar() == scalar);
    }
}

TEST_CASE("a generated key signs ES256 as 64 bytes r || s, and exports as it loads", "[crypto]") {
    auto key = P256Key::generate();
    REQUIRE(key);
    const std::string point = key->public_point();
    REQUIRE(point.size() == 65);
    CHECK(point[0] == 0x04);

    auto signature = key->sign_es256("eyJhbGciOiJFUzI1NiJ9.e30");
    REQUIRE(signature);
    CHECK(signature->size() == 64);
    CHECK(crypto::verify_es256(point, "eyJhbGciOiJFUzI1NiJ9.e30", *signature));

    SECTION("ES256 is randomized; both signatures verify") {
        auto again = key->sign_es256("eyJhbGciOiJFUzI1NiJ9.e30");
        REQUIRE(again);
        CHECK(*again != *signature);
        CHECK(crypto::verify_es256(point, "eyJhbGciOiJFUzI1NiJ9.e30", *again));
    }
    SECTION("another message, a changed signature or another key do not verify") {
        check_refused(crypto::verify_es256(point, "eyJhbGciOiJFUzI1NiJ9.e31", *signature),
                      "bad_signature");
        std::string changed = *signature;
        changed[40] = static_cast<char>(changed[40] ^ 1);
        check_refused(crypto::verify_es256(point, "eyJhbGciOiJFUzI1NiJ9.e30", changed),
                      "bad_signature");
        auto other = P256Key::generate();
        REQUIRE(other);
        check_refused(
            crypto::verify_es256(other->public_point(), "eyJhbGciOiJFUzI1NiJ9.e30", *signature),
            "bad_signature");
    }
    SECTION("PKCS#8 PEM out and back in is the same key") {
        auto pem = key->pkcs8_pem();
        REQUIRE(pem);
        CHECK(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
        auto loaded = P256Key::from_pem(*pem);
        REQUIRE(loaded);
        CHECK(loaded->public_point() == point);
        auto by_loaded = loaded->sign_es256("m");
        REQUIRE(by_loaded);
        CHECK(crypto::verify_es256(point, "m", *by_loaded));
    }
    SECTION("the raw scalar out and back in is the same key") {
        auto scalar = key->private_scalar();
        REQUIRE(scalar);
        CHECK(scalar->size() == 32);
        auto loaded = P256Key::from_private_scalar(*scalar);
        REQUIRE(loaded);
        CHECK(loaded->public_point() == point);
    }
    SECTION("a key moves; the moved-from one refuses to sign") {
        P256Key moved = std::move(*key);
        CHECK(moved.public_point() == point);
        CHECK(key->public_point().empty());
        check_refused(key->sign_es256("m"), "crypto_failed");
        *key = std::move(moved);
        CHECK(key->public_point() == point);
    }
}

TEST_CASE("ECDH gives both sides the same 32-byte secret", "[crypto]") {
    auto a = P256Key::generate();
    auto b = P256Key::generate();
    REQUIRE(a);
    REQUIRE(b);
    auto ab = a->ecdh(b->public_point());
    auto ba = b->ecdh(a->public_point());
    REQUIRE(ab);
    REQUIRE(ba);
    CHECK(ab->size() == 32);
    CHECK(*ab == *ba);
}

TEST_CASE("P-256 keys and points that are not are refused by name", "[crypto]") {
    SECTION("PEM that is not a key") {
        check_refused(P256Key::from_pem(""), "invalid_pem");
        check_refused(P256Key::from_pem("not a key at all"), "invalid_pem");
        check_refused(P256Key::from_pem("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n"
                                        "-----END PRIVATE KEY-----\n"),
                      "invalid_pem");
        auto certificate = P256Key::from_pem(
            "-----BEGIN CERTIFICATE-----\nMIIB\n"
            "-----END CERTIFICATE-----\n");
        check_refused(certificate, "invalid_pem");
        CHECK(certificate.error().message ==
              "the PEM block is a 'CERTIFICATE', not a private key (expected '-----BEGIN "
              "PRIVATE KEY-----')");
        // A block cut short: the key's own bytes must not show in the message.
        std::string cut = crypto_test_keys::kEcPkcs8Pem;
        cut.erase(80, 40);
        auto refused = P256Key::from_pem(cut);
        check_refused(refused, "invalid_pem");
        CHECK(refused.error().message.find("MIG") == std::string::npos);
    }
    SECTION("keys of another kind") {
        auto rsa = P256Key::from_pem(crypto_test_keys::kRsaPkcs8Pem);
        check_refused(rsa, "wrong_key_type");
        CHECK(rsa.error().message == "the key is RSA, not EC P-256");
        check_refused(P256Key::from_pem(crypto_test_keys::kRsaPkcs1Pem), "wrong_key_type");
        auto p384 = P256Key::from_pem(crypto_test_keys::kEc384Pem);
        check_refused(p384, "wrong_key_type");
        CHECK(p384.error().message == "the EC key is on curve 'secp384r1', not P-256 (prime256v1)");
    }
    SECTION("an encrypted key is refused, not prompted for") {
        check_refused(P256Key::from_pem(crypto_test_keys::kEcEncryptedPem), "encrypted_key");
        check_refused(P256Key::from_pem(crypto_test_keys::kEcLegacyEncryptedPem), "encrypted_key");
    }
    SECTION("raw scalars of the wrong size or out of range") {
        check_refused(P256Key::from_private_scalar(std::string(31, '\x01')), "invalid_key");
        check_refused(P256Key::from_private_scalar(std::string(32, '\0')), "invalid_key");
        const std::string order =
            crypto_test::unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
        check_refused(P256Key::from_private_scalar(order), "invalid_key");
        std::string below = order;
        below.back() = '\x50';
        CHECK(P256Key::from_private_scalar(below));
    }
    SECTION("peer points off the curve or in another form") {
        auto key = P256Key::generate();
        REQUIRE(key);
        std::string off_curve = b64u(crypto_test_keys::kEcPublic);
        off_curve.back() = static_cast<char>(off_curve.back() ^ 1);
        auto refused = key->ecdh(off_curve);
        check_refused(refused, "invalid_public_key");
        CHECK(refused.error().message == "the public key is not a point on the P-256 curve");
        std::string compressed = "\x02" + b64u(crypto_test_keys::kEcPublic).substr(1, 32);
        check_refused(key->ecdh(compressed), "invalid_public_key");
        std::string hybrid = b64u(crypto_test_keys::kEcPublic);
        hybrid[0] = 0x06;
        check_refused(key->ecdh(hybrid), "invalid_public_key");
        check_refused(key->ecdh(std::string(65, '\0')), "invalid_public_key");
        check_refused(crypto::verify_es256(off_curve, "m", std::string(64, '\x01')),
                      "invalid_public_key");
    }
    SECTION("signatures of the wrong size, DER among them") {
        auto key = P256Key::generate();
        REQUIRE(key);
        check_refused(crypto::verify_es256(key->public_point(), "m", std::string(63, '\x01')),
                      "invalid_signature");
        check_refused(crypto::verify_es256(key->public_point(), "m", std::string(72, '\x30')),
                      "invalid_signature");
        check_refused(crypto::verify_es256(key->public_point(), "m", std::string(64, '\0')),
                      "bad_signature");
    }
}
