// web_push.cpp - RFC 8291 encryption in one aes128gcm record; see web_push.hpp.
#include "crypto/web_push.hpp"

#include "crypto/aes_gcm.hpp"
#include "crypto/openssl_handles.hpp"
#include "crypto/p256_key.hpp"
#include "util/crypto.hpp"

namespace notify::crypto {

using namespace detail;

namespace {

constexpr std::size_t kTagBytes = kGcmTagBytes;
constexpr std::size_t kCekBytes = 16;
constexpr std::size_t kNonceBytes = 12;
constexpr char kLastRecord = 0x02;

// "<label>" 0x00 0x01: HKDF-Expand's info and counter for one block.
std::string info_block(std::string_view label) {
    std::string info(label);
    info += '\0';
    info += '\x01';
    return info;
}

Error with_context(const char* context, Error error) {
    error.message = std::string(context) + ": " + error.message;
    return error;
}

Status check_subscription(std::string_view ua_public, std::string_view auth) {
    if (ua_public.size() != kP256PointBytes || ua_public[0] != 0x04)
        return make_error(ErrorKind::invalid, "invalid_public_key",
                          "the subscription's p256dh is a 65-byte uncompressed P-256 point, not " +
                              std::to_string(ua_public.size()) + " bytes" +
                              (ua_public.size() == kP256PointBytes ? " starting otherwise" : ""));
    if (auth.size() != kWebPushAuthBytes)
        return make_error(
            ErrorKind::invalid, "invalid_auth",
            "the subscription's auth secret is 16 bytes, not " + std::to_string(auth.size()));
    return ok();
}

// AES-128-GCM of `plaintext`, the 16-byte tag appended.
Expected<std::string> seal(const WebPushKeys& keys, std::string_view plaintext) {
    return aes_gcm_seal(keys.cek, keys.nonce, plaintext);
}

// The plaintext of `sealed` (ciphertext || tag); bad_web_push when the tag
// does not match.
Expected<std::string> unseal(const WebPushKeys& keys, std::string_view sealed) {
    auto out = aes_gcm_open(keys.cek, keys.nonce, sealed);
    if (!out && out.error().kind == ErrorKind::invalid)
        return make_error(ErrorKind::invalid, "bad_web_push",
                          "the message does not decrypt (wrong key or auth secret, or altered)");
    return out;
}

}  // namespace

WebPushKeys derive_web_push_keys(std::string_view ecdh_secret, std::string_view auth,
                                 std::string_view ua_public, std::string_view as_public,
                                 std::string_view salt) {
    WebPushKeys keys;
    keys.prk_key = util::hmac_sha256(auth, ecdh_secret);
    std::string key_info = "WebPush: info";
    key_info += '\0';
    key_info.append(ua_public).append(as_public) += '\x01';
    keys.ikm = util::hmac_sha256(keys.prk_key, key_info);
    keys.prk = util::hmac_sha256(salt, keys.ikm);
    keys.cek =
        util::hmac_sha256(keys.prk, info_block("Content-Encoding: aes128gcm")).substr(0, kCekBytes);
    keys.nonce =
        util::hmac_sha256(keys.prk, info_block("Content-Encoding: nonce")).substr(0, kNonceBytes);
    return keys;
}

std::string web_push_header(std::string_view salt, std::string_view as_public) {
    std::string header(salt);
    for (int shift = 24; shift >= 0; shift -= 8)
        header += static_cast<char>((kWebPushRecordSize >> shift) & 0xff);
    header += static_cast<char>(as_public.size());
    header.append(as_public);
    return header;
}

Expected<std::string> encrypt_web_push(std::string_view plaintext, std::string_view ua_public,
                                       std::string_view auth) {
    // The size checks come first, so that a bad subscription costs no key.
    if (auto checked = check_subscription(ua_public, auth); !checked) return checked.error();
    auto as_key = P256Key::generate();
    if (!as_key) return as_key.error();
    return encrypt_web_push(plaintext, ua_public, auth, *as_key,
                            util::random_bytes(kWebPushSaltBytes));
}

Expected<std::string> encrypt_web_push(std::string_view plaintext, std::string_view ua_public,
                                       std::string_view auth, const P256Key& as_key,
                                       std::string_view salt) {
    if (auto checked = check_subscription(ua_public, auth); !checked) return checked.error();
    if (salt.size() != kWebPushSaltBytes)
        return make_error(ErrorKind::invalid, "invalid_salt",
                          "the salt is 16 bytes, not " + std::to_string(salt.size()));
    if (plaintext.size() > kWebPushMaxPlaintext)
        return make_error(ErrorKind::too_large, "payload_too_large",
                          "the web push message is " + std::to_string(plaintext.size()) +
                              " bytes, over the " + std::to_string(kWebPushMaxPlaintext) +
                              " that fit a 4096-byte record");
    auto secret = as_key.ecdh(ua_public);
    if (!secret) return with_context("the subscription's p256dh", secret.error());
    WebPushKeys keys = derive_web_push_keys(*secret, auth, ua_public, as_key.public_point(), salt);
    std::string padded(plaintext);
    padded += kLastRecord;
    auto sealed = seal(keys, padded);
    if (!sealed) return sealed.error();
    return web_push_header(salt, as_key.public_point()) + *sealed;
}

Expected<std::string> decrypt_web_push(std::string_view body, const P256Key& ua_key,
                                       std::string_view auth) {
    auto invalid = [](std::string message) {
        return make_error(ErrorKind::invalid, "invalid_web_push", std::move(message));
    };
    if (auth.size() != kWebPushAuthBytes)
        return make_error(ErrorKind::invalid, "invalid_auth",
                          "the auth secret is 16 bytes, not " + std::to_string(auth.size()));
    if (body.size() < kWebPushHeaderBytes + kTagBytes + 1)
        return invalid("the body of " + std::to_string(body.size()) +
                       " bytes is shorter than one aes128gcm record");
    std::string_view salt = body.substr(0, kWebPushSaltBytes);
    std::uint32_t rs = 0;
    for (std::size_t i = 16; i < 20; ++i) rs = (rs << 8) | static_cast<unsigned char>(body[i]);
    std::size_t idlen = static_cast<unsigned char>(body[20]);
    if (idlen != kP256PointBytes)
        return invalid("the body's key id is " + std::to_string(idlen) +
                       " bytes, not a 65-byte P-256 point");
    std::string_view as_public = body.substr(21, kP256PointBytes);
    std::string_view sealed = body.substr(kWebPushHeaderBytes);
    if (rs < kTagBytes + 2 || sealed.size() > rs)
        return invalid("the body is not a single aes128gcm record of at most rs = " +
                       std::to_string(rs) + " bytes");
    auto secret = ua_key.ecdh(as_public);
    if (!secret) return with_context("the body's key id", secret.error());
    WebPushKeys keys = derive_web_push_keys(*secret, auth, ua_key.public_point(), as_public, salt);
    auto padded = unseal(keys, sealed);
    if (!padded) return padded.error();
    // The plaintext ends at the last record's delimiter; zeros after it are padding.
    std::string& text = *padded;
    while (!text.empty() && text.back() == '\0') text.pop_back();
    if (text.empty() || text.back() != kLastRecord)
        return invalid("the record does not end with the last-record delimiter 0x02");
    text.pop_back();
    return std::move(text);
}

}  // namespace notify::crypto
