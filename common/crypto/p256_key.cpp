// p256_key.cpp - EC P-256 keys through OpenSSL 3's EVP interface; see
// p256_key.hpp. The deprecated EC_KEY interface is not used; EC_GROUP and
// EC_POINT serve only to derive a public point from a raw private scalar.
#include "crypto/p256_key.hpp"

#include <openssl/core_names.h>
#include <openssl/objects.h>

#include "crypto/openssl_handles.hpp"
#include "crypto/private_key_pem.hpp"

namespace notify::crypto {

using namespace detail;

namespace {

constexpr const char* kGroupName = "prime256v1";  // OpenSSL's name for P-256

Error crypto_failed(const char* what) {
    return failed(ErrorKind::internal, "crypto_failed", std::string("cannot ") + what);
}

// 0x04 || X || Y of a key that has a public part.
Expected<std::string> uncompressed_point(const EVP_PKEY* key) {
    BIGNUM* raw_x = nullptr;
    BIGNUM* raw_y = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &raw_x);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &raw_y);
    BnPtr x(raw_x), y(raw_y);
    if (!x || !y) return crypto_failed("read the public point of the key");
    std::string point(kP256PointBytes, '\0');
    point[0] = 0x04;
    if (BN_bn2binpad(x.get(), bytes(point) + 1, 32) != 32 ||
        BN_bn2binpad(y.get(), bytes(point) + 33, 32) != 32)
        return crypto_failed("write the public point of the key");
    return point;
}

// An EVP_PKEY holding only the public key `point`, checked to be on the curve.
Expected<PkeyPtr> public_key_from_point(std::string_view point) {
    if (point.size() != kP256PointBytes || point[0] != 0x04)
        return make_error(ErrorKind::invalid, "invalid_public_key",
                          "a P-256 public key is a 65-byte uncompressed point (0x04 || X || Y), "
                          "not " +
                              std::to_string(point.size()) + " bytes" +
                              (point.size() == kP256PointBytes ? " starting otherwise" : ""));
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size()))
        return crypto_failed("build the public key's parameters");
    ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
        return crypto_failed("set up the public key");
    EVP_PKEY* raw = nullptr;
    // fromdata refuses a point off the curve; public_check makes sure of it.
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return failed(ErrorKind::invalid, "invalid_public_key",
                      "the public key is not a point on the P-256 curve");
    PkeyPtr key(raw);
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return failed(ErrorKind::invalid, "invalid_public_key",
                      "the public key is not a point on the P-256 curve");
    return key;
}

}  // namespace

Expected<P256Key> P256Key::adopt(EVP_PKEY* raw) {
    PkeyPtr key(raw);
    if (!EVP_PKEY_is_a(key.get(), "EC")) {
        const char* type = EVP_PKEY_get0_type_name(key.get());
        return failed(
            ErrorKind::invalid, "wrong_key_type",
            std::string("the key is ") + (type ? type : "of another type") + ", not EC P-256");
    }
    char group[64] = {0};
    if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr) != 1)
        return failed(ErrorKind::invalid, "wrong_key_type",
                      "the EC key is not on a named curve, not P-256 (prime256v1)");
    if (OBJ_sn2nid(group) != NID_X9_62_prime256v1)
        return failed(
            ErrorKind::invalid, "wrong_key_type",
            std::string("the EC key is on curve '") + group + "', not P-256 (prime256v1)");
    auto point = uncompressed_point(key.get());
    if (!point) return point.error();
    return P256Key(key.release(), std::move(*point));
}

Expected<P256Key> P256Key::from_pem(std::string_view pem) {
    auto key = read_private_key_pem(pem);
    if (!key) return key.error();
    return adopt(key->release());
}

Expected<P256Key> P256Key::from_private_scalar(std::string_view scalar) {
    if (scalar.size() != kP256ScalarBytes)
        return make_error(ErrorKind::invalid, "invalid_key",
                          "a P-256 private key is 32 bytes, not " + std::to_string(scalar.size()));
    EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    BnCtxPtr bn_ctx(BN_CTX_new());
    BnPtr d(BN_bin2bn(bytes(scalar), static_cast<int>(scalar.size()), nullptr));
    if (!group || !bn_ctx || !d) return crypto_failed("read the private key");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
        return make_error(ErrorKind::invalid, "invalid_key",
                          "the private key is not a P-256 scalar (it is zero or not below the "
                          "group order)");
    EcPointPtr q(EC_POINT_new(group.get()));
    std::string point(kP256PointBytes, '\0');
    if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
        EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, bytes(point),
                           point.size(), bn_ctx.get()) != point.size())
        return crypto_failed("derive the public key");

    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName, 0) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size()))
        return crypto_failed("build the key's parameters");
    ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1)
        return crypto_failed("make the key");
    return P256Key(raw, std::move(point));
}

Expected<P256Key> P256Key::generate() {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_group_name(ctx.get(), kGroupName) != 1 ||
        EVP_PKEY_generate(ctx.get(), &raw) != 1)
        return crypto_failed("generate a P-256 key");
    return adopt(raw);
}

P256Key::P256Key(P256Key&& other) noexcept
    : key_(std::exchange(other.key_, nullptr)), public_point_(std::move(other.public_point_)) {
    other.public_point_.clear();
}

P256Key& P256Key::operator=(P256Key&& other) noexcept {
    if (this != &other) {
        EVP_PKEY_free(key_);
        key_ = std::exchange(other.key_, nullptr);
        public_point_ = std::move(other.public_point_);
        other.public_point_.clear();
    }
    return *this;
}

P256Key::~P256Key() {
    EVP_PKEY_free(key_);
}

Expected<std::string> P256Key::private_scalar() const {
    BIGNUM* raw = nullptr;
    if (!key_ || EVP_PKEY_get_bn_param(key_, OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1)
        return crypto_failed("read the private key");
    BnPtr d(raw);
    std::string out(kP256ScalarBytes, '\0');
    if (BN_bn2binpad(d.get(), bytes(out), static_cast<int>(out.size())) != 32)
        return crypto_failed("write the private key");
    return out;
}

Expected<std::string> P256Key::pkcs8_pem() const {
    if (!key_) return crypto_failed("export a moved-from key");
    return write_pkcs8_pem(key_);
}

Expected<std::string> P256Key::ecdh(std::string_view peer_point) const {
    auto peer = public_key_from_point(peer_point);
    if (!peer) return peer.error();
    if (!key_) return crypto_failed("use a moved-from key");
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr));
    std::size_t size = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer_ex(ctx.get(), peer->get(), 1) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &size) != 1)
        return crypto_failed("set up ECDH");
    std::string secret(size, '\0');
    if (EVP_PKEY_derive(ctx.get(), bytes(secret), &size) != 1)
        return crypto_failed("derive the ECDH secret");
    secret.resize(size);
    return secret;
}

Expected<std::string> P256Key::sign_es256(std::string_view message) const {
    if (!key_) return crypto_failed("sign with a moved-from key");
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t size = 0;
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_, nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, bytes(message), message.size()) != 1)
        return crypto_failed("set up ES256 signing");
    std::string der(size, '\0');
    if (EVP_DigestSign(ctx.get(), bytes(der), &size, bytes(message), message.size()) != 1)
        return crypto_failed("sign");
    const unsigned char* p = bytes(der);
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(size)));
    if (!sig) return crypto_failed("read the ECDSA signature");
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string out(kEs256SignatureBytes, '\0');
    if (BN_bn2binpad(r, bytes(out), 32) != 32 || BN_bn2binpad(s, bytes(out) + 32, 32) != 32)
        return crypto_failed("write the ES256 signature");
    return out;
}

Status verify_es256(std::string_view public_point, std::string_view message,
                    std::string_view signature) {
    if (signature.size() != kEs256SignatureBytes)
        return make_error(
            ErrorKind::invalid, "invalid_signature",
            "an ES256 signature is 64 bytes (r || s), not " + std::to_string(signature.size()));
    auto key = public_key_from_point(public_point);
    if (!key) return key.error();
    BnPtr r(BN_bin2bn(bytes(signature), 32, nullptr));
    BnPtr s(BN_bin2bn(bytes(signature) + 32, 32, nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return crypto_failed("read the ES256 signature");
    r.release();  // owned by sig now
    s.release();
    unsigned char* der = nullptr;
    int der_size = i2d_ECDSA_SIG(sig.get(), &der);
    if (der_size <= 0) return crypto_failed("encode the ES256 signature");
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
        der, [](unsigned char* q) { OPENSSL_free(q); });
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key->get(),
                                        nullptr) != 1)
        return crypto_failed("set up ES256 verification");
    if (EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_size), bytes(message),
                         message.size()) != 1)
        return failed(ErrorKind::invalid, "bad_signature",
                      "the ES256 signature does not verify under the public key");
    return ok();
}

}  // namespace notify::crypto
