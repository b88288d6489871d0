// test_crypto_jwt.cpp - compact JWS: RS256 byte for byte against openssl, the
// RFC 8292 §2.4 token verified under its key, ES256 round trips, and tokens
// and parts that are refused.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/jwt.hpp"
#include "crypto/p256_key.hpp"
#include "crypto/rsa_key.hpp"
#include "test_crypto_keys.hpp"
#include "test_crypto_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using crypto_test::b64u;
using crypto_test::check_refused;

namespace {

// RFC 8292 §2.4.
constexpr const char* kRfc8292Jwt =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOj"
    "E0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_"
    "HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA";
constexpr const char* kRfc8292Key =
    "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs";

}  // namespace

TEST_CASE("an RS256 JWT is the one openssl makes, byte for byte", "[crypto]") {
    auto key = crypto::RsaKey::from_pem(crypto_test_keys::kRsaPkcs8Pem);
    REQUIRE(key);
    auto jwt =
        crypto::jwt_rs256(crypto_test_keys::kRs256Header, crypto_test_keys::kRs256Claims, *key);
    REQUIRE(jwt);
    CHECK(*jwt == crypto_test_keys::kRs256Jwt);
}

TEST_CASE("the RFC 8292 example token verifies under its key; changed, it does not", "[crypto]") {
    const std::string key = b64u(kRfc8292Key);
    CHECK(crypto::verify_jwt_es256(kRfc8292Jwt, key));

    auto jws = crypto::split_jws(kRfc8292Jwt);
    REQUIRE(jws);
    CHECK(jws->header_json == R"({"typ":"JWT","alg":"ES256"})");
    CHECK(jws->claims_json ==
          R"({"aud":"https://push.example.net","exp":1453523768,"sub":"mailto:push@example.com"})");
    CHECK(jws->signature.size() == 64);
    CHECK(crypto::verify_es256(key, jws->signing_input, jws->signature));

    SECTION("claims changed") {
        std::string claims = jws->claims_json;
        claims.replace(claims.find("1453523768"), 10, "1453527368");
        std::string forged = util::base64url(jws->header_json) + "." + util::base64url(claims) +
                             "." + util::base64url(jws->signature);
        check_refused(crypto::verify_jwt_es256(forged, key), "bad_signature");
    }
    SECTION("signature changed") {
        std::string forged = kRfc8292Jwt;
        forged[forged.size() - 10] = forged[forged.size() - 10] == 'A' ? 'B' : 'A';
        check_refused(crypto::verify_jwt_es256(forged, key), "bad_signature");
    }
    SECTION("another key") {
        auto other = crypto::P256Key::generate();
        REQUIRE(other);
        check_refused(crypto::verify_jwt_es256(kRfc8292Jwt, other->public_point()),
                      "bad_signature");
    }
}

TEST_CASE("an ES256 JWT keeps the caller's header and claims and verifies", "[crypto]") {
    auto key = crypto::P256Key::from_pem(crypto_test_keys::kEcPkcs8Pem);
    REQUIRE(key);
    const std::string header = R"({"alg":"ES256","kid":"ABC123DEFG"})";
    const std::string claims = R"({"iss":"DEF123GHIJ","iat":1437179036})";
    auto jwt = crypto::jwt_es256(header, claims, *key);
    REQUIRE(jwt);
    CHECK(jwt->rfind(util::base64url(header) + "." + util::base64url(claims) + ".", 0) == 0);
    CHECK(jwt->find('=') == std::string::npos);
    auto jws = crypto::split_jws(*jwt);
    REQUIRE(jws);
    CHECK(jws->header_json == header);
    CHECK(jws->claims_json == claims);
    CHECK(jws->signature.size() == 64);
    CHECK(crypto::verify_jwt_es256(*jwt, b64u(crypto_test_keys::kEcPublic)));
}

TEST_CASE("JWT parts and tokens that are not are refused", "[crypto]") {
    auto ec = crypto::P256Key::generate();
    auto rsa = crypto::RsaKey::from_pem(crypto_test_keys::kRsaPkcs8Pem);
    REQUIRE(ec);
    REQUIRE(rsa);
    SECTION("a header whose alg is another, or none") {
        auto mismatch = crypto::jwt_es256(R"({"alg":"RS256"})", "{}", *ec);
        check_refused(mismatch, "invalid_jwt");
        CHECK(mismatch.error().message == R"(the JWT header's "alg" is not "ES256")");
        check_refused(crypto::jwt_rs256(R"({"alg":"ES256"})", "{}", *rsa), "invalid_jwt");
        check_refused(crypto::jwt_es256(R"({"typ":"JWT"})", "{}", *ec), "invalid_jwt");
    }
    SECTION("parts that are not JSON objects") {
        check_refused(crypto::jwt_es256("{\"alg\":\"ES256\"", "{}", *ec), "invalid_jwt");
        check_refused(crypto::jwt_es256(R"({"alg":"ES256"})", "[1]", *ec), "invalid_jwt");
        check_refused(crypto::jwt_es256(R"({"alg":"ES256"})", "", *ec), "invalid_jwt");
    }
    SECTION("tokens that are not three base64url parts") {
        for (const char* token : {"", "a.b", "a.b.c.d", "e30.e30.a+b", "e30=.e30.abcd"}) {
            INFO("token: " << token);
            check_refused(crypto::split_jws(token), "invalid_jwt");
        }
        auto rs256 = crypto::verify_jwt_es256(crypto_test_keys::kRs256Jwt,
                                              b64u(crypto_test_keys::kEcPublic));
        check_refused(rs256, "invalid_jwt");
    }
}
