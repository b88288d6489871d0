// rsa_key.cpp - RSA private keys and RS256 through OpenSSL 3's EVP interface;
// see rsa_key.hpp.
#include "crypto/rsa_key.hpp"

#include <openssl/rsa.h>

#include <utility>

#include "crypto/openssl_handles.hpp"
#include "crypto/private_key_pem.hpp"

namespace notify::crypto {

using namespace detail;

Expected<RsaKey> RsaKey::from_pem(std::string_view pem) {
    auto key = read_private_key_pem(pem);
    if (!key) return key.error();
    if (!EVP_PKEY_is_a(key->get(), "RSA")) {
        const char* type = EVP_PKEY_get0_type_name(key->get());
        return failed(ErrorKind::invalid, "wrong_key_type",
                      std::string("the key is ") + (type ? type : "of another type") + ", not RSA");
    }
    int bits = EVP_PKEY_get_bits(key->get());
    if (bits < kMinRsaBits)
        return make_error(ErrorKind::invalid, "weak_key",
                          "the RSA key has " + std::to_string(bits) + " bits, fewer than " +
                              std::to_string(kMinRsaBits));
    return RsaKey(key->release());
}

RsaKey::RsaKey(RsaKey&& other) noexcept : key_(std::exchange(other.key_, nullptr)) {}

RsaKey& RsaKey::operator=(RsaKey&& other) noexcept {
    if (this != &other) {
        EVP_PKEY_free(key_);
        key_ = std::exchange(other.key_, nullptr);
    }
    return *this;
}

RsaKey::~RsaKey() {
    EVP_PKEY_free(key_);
}

int RsaKey::bits() const {
    return key_ ? EVP_PKEY_get_bits(key_) : 0;
}

Expected<std::string> RsaKey::sign_rs256(std::string_view message) const {
    if (!key_)
        return failed(ErrorKind::internal, "crypto_failed", "cannot sign with a moved-from key");
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    std::size_t size = 0;
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), &pctx, "SHA256", nullptr, nullptr, key_, nullptr) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, bytes(message), message.size()) != 1)
        return failed(ErrorKind::internal, "crypto_failed", "cannot set up RS256 signing");
    std::string signature(size, '\0');
    if (EVP_DigestSign(ctx.get(), bytes(signature), &size, bytes(message), message.size()) != 1)
        return failed(ErrorKind::internal, "crypto_failed", "cannot sign with RS256");
    signature.resize(size);
    return signature;
}

}  // namespace notify::crypto
