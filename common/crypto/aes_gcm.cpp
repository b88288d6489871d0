// aes_gcm.cpp - see aes_gcm.hpp.
#include "crypto/aes_gcm.hpp"

#include "crypto/openssl_handles.hpp"

namespace notify::crypto {

using namespace detail;

namespace {

const EVP_CIPHER* cipher_for(std::string_view key) {
    if (key.size() == 16) return EVP_aes_128_gcm();
    if (key.size() == 32) return EVP_aes_256_gcm();
    return nullptr;
}

Error gcm_failed(const char* what) {
    return failed(ErrorKind::internal, "crypto_failed", std::string("cannot ") + what);
}

}  // namespace

Expected<std::string> aes_gcm_seal(std::string_view key, std::string_view nonce,
                                   std::string_view plaintext) {
    const EVP_CIPHER* cipher = cipher_for(key);
    if (!cipher || nonce.size() != kGcmNonceBytes)
        return gcm_failed("use AES-GCM with a key of 16 or 32 bytes and a 12-byte nonce");
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, bytes(key), bytes(nonce)) != 1)
        return gcm_failed("set up AES-GCM");
    std::string out(plaintext.size() + kGcmTagBytes, '\0');
    int written = 0;
    int last = 0;
    if (EVP_EncryptUpdate(ctx.get(), bytes(out), &written, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), bytes(out) + written, &last) != 1 ||
        static_cast<std::size_t>(written + last) != plaintext.size() ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes,
                            bytes(out) + plaintext.size()) != 1)
        return gcm_failed("encrypt with AES-GCM");
    return out;
}

Expected<std::string> aes_gcm_open(std::string_view key, std::string_view nonce,
                                   std::string_view sealed) {
    const EVP_CIPHER* cipher = cipher_for(key);
    if (!cipher || nonce.size() != kGcmNonceBytes)
        return gcm_failed("use AES-GCM with a key of 16 or 32 bytes and a 12-byte nonce");
    if (sealed.size() < kGcmTagBytes)
        return make_error(ErrorKind::invalid, "bad_seal", "the sealed text is shorter than a tag");
    std::string_view ciphertext = sealed.substr(0, sealed.size() - kGcmTagBytes);
    std::string tag(sealed.substr(ciphertext.size()));
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, bytes(key), bytes(nonce)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag.data()) != 1)
        return gcm_failed("set up AES-GCM");
    std::string out(ciphertext.size(), '\0');
    int written = 0;
    int last = 0;
    if (EVP_DecryptUpdate(ctx.get(), bytes(out), &written, bytes(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), bytes(out) + written, &last) != 1)
        return failed(ErrorKind::invalid, "bad_seal",
                      "the sealed text does not open (another key or nonce, or altered)");
    return out;
}

}  // namespace notify::crypto
