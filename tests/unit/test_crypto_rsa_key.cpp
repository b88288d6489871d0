// test_crypto_rsa_key.cpp - RSA keys and RS256: the forms a key loads from, a
// signature identical to openssl's own and verified by OpenSSL against the
// public key, and the refusals.
#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "crypto/rsa_key.hpp"
#include "test_crypto_keys.hpp"
#include "test_crypto_support.hpp"
#include "util/crypto.hpp"
#include "util/json_parse.hpp"

#include <nlohmann/json.hpp>

using namespace notify;
using crypto::RsaKey;
using crypto_test::b64u;
using crypto_test::check_refused;

namespace {

// Whether OpenSSL verifies `signature` as RS256 of `message` under the public
// half of `private_pem`, taken out as a SubjectPublicKeyInfo PEM and read back.
bool openssl_verifies_rs256(const char* private_pem, const std::string& message,
                            const std::string& signature) {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(private_pem, -1), BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> priv(
        PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    REQUIRE(priv);
    std::unique_ptr<BIO, decltype(&BIO_free)> spki(BIO_new(BIO_s_mem()), BIO_free);
    REQUIRE(PEM_write_bio_PUBKEY(spki.get(), priv.get()) == 1);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pub(
        PEM_read_bio_PUBKEY(spki.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    REQUIRE(pub);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub.get()) == 1);
    bool verified =
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                         message.size()) == 1;
    ERR_clear_error();  // a failed verification queues its reason
    return verified;
}

}  // namespace

TEST_CASE("RS256 signatures are deterministic, openssl's own, and verify", "[crypto]") {
    const std::string jwt = crypto_test_keys::kRs256Jwt;
    const std::string input = jwt.substr(0, jwt.rfind('.'));
    const std::string expected = b64u(jwt.substr(jwt.rfind('.') + 1));
    for (const char* pem : {crypto_test_keys::kRsaPkcs8Pem, crypto_test_keys::kRsaPkcs1Pem}) {
        auto key = RsaKey::from_pem(pem);
        REQUIRE(key);
        CHECK(key->bits() == 2048);
        auto signature = key->sign_rs256(input);
        REQUIRE(signature);
        CHECK(signature->size() == 256);
        CHECK(*signature == expected);
        CHECK(*key->sign_rs256(input) == *signature);
        CHECK(openssl_verifies_rs256(crypto_test_keys::kRsaPkcs8Pem, input, *signature));
        CHECK_FALSE(
            openssl_verifies_rs256(crypto_test_keys::kRsaPkcs8Pem, input + "x", *signature));
    }
}

TEST_CASE("a service account's private_key loads once its JSON is read", "[crypto]") {
    std::string escaped;
    for (const char* c = crypto_test_keys::kRsaPkcs8Pem; *c; ++c)
        escaped += *c == '\n' ? std::string("\\n") : std::string(1, *c);
    const std::string account = R"({"type":"service_account","project_id":"notify-test",)"
                                R"("private_key":")" +
                                escaped +
                                R"(\n","client_email":"x@notify-test.iam.gserviceaccount.com"})";
    auto json = util::parse_json(account);
    REQUIRE(json);
    auto key = RsaKey::from_pem((*json)["private_key"].get<std::string>());
    REQUIRE(key);
    CHECK(key->bits() == 2048);
}

TEST_CASE("RSA keys that will not do are refused by name", "[crypto]") {
    check_refused(RsaKey::from_pem("garbage"), "invalid_pem");
    auto ec = RsaKey::from_pem(crypto_test_keys::kEcPkcs8Pem);
    check_refused(ec, "wrong_key_type");
    CHECK(ec.error().message == "the key is EC, not RSA");
    auto weak = RsaKey::from_pem(crypto_test_keys::kRsa1024Pem);
    check_refused(weak, "weak_key");
    CHECK(weak.error().message == "the RSA key has 1024 bits, fewer than 2048");
}
