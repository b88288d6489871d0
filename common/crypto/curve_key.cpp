#include "crypto/curve_key.hpp"

#include "crypto/openssl_handles.hpp"
#include "util/z85.hpp"

namespace notify::crypto {

using namespace detail;

namespace {

constexpr std::size_t kKeyBytes = 32;

Error crypto_failed(const char* what) {
    return failed(ErrorKind::internal, "crypto_failed", std::string("cannot ") + what);
}

Expected<std::string> raw_public(EVP_PKEY* key) {
    std::string raw(kKeyBytes, '\0');
    std::size_t len = raw.size();
    if (EVP_PKEY_get_raw_public_key(key, bytes(raw), &len) != 1 || len != kKeyBytes)
        return crypto_failed("read a CURVE public key");
    return raw;
}

}  // namespace

Expected<CurveKeyPair> generate_curve_keys() {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr));
    EVP_PKEY* made = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &made) != 1)
        return crypto_failed("make a CURVE key pair");
    PkeyPtr key(made);
    std::string secret(kKeyBytes, '\0');
    std::size_t len = secret.size();
    if (EVP_PKEY_get_raw_private_key(key.get(), bytes(secret), &len) != 1 || len != kKeyBytes)
        return crypto_failed("read a CURVE secret key");
    auto pub = raw_public(key.get());
    if (!pub) return pub.error();
    CurveKeyPair pair{util::z85_encode(*pub), util::z85_encode(secret)};
    OPENSSL_cleanse(secret.data(), secret.size());
    return pair;
}

Expected<std::string> curve_public_key(std::string_view secret_key) {
    if (!util::is_z85_key(secret_key))
        return make_error(ErrorKind::invalid, "invalid_key",
                          "a CURVE secret key is 40 characters of Z85");
    std::string raw = *util::z85_decode(secret_key);
    PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, bytes(raw), raw.size()));
    OPENSSL_cleanse(raw.data(), raw.size());
    if (!key) return crypto_failed("read a CURVE secret key");
    auto pub = raw_public(key.get());
    if (!pub) return pub.error();
    return util::z85_encode(*pub);
}

}  // namespace notify::crypto
