// web_push.hpp - Web Push message encryption (RFC 8291) with the "aes128gcm"
// content coding (RFC 8188), as one record: the body of the POST to a
// subscription's endpoint, sent with "Content-Encoding: aes128gcm".
//
// Inputs: the plaintext, and the subscription's keys, decoded from base64url:
// p256dh (the user agent's public key, a 65-byte uncompressed P-256 point) and
// auth (its 16-byte secret). Each message is encrypted with a fresh
// application-server key pair and a random 16-byte salt; tests inject both to
// reproduce RFC 8291 Appendix A.
//
//   ecdh_secret = ECDH(as_private, ua_public)
//   PRK_key = HMAC-SHA-256(auth, ecdh_secret)
//   IKM     = HMAC-SHA-256(PRK_key, "WebPush: info" 0x00 ua_public as_public 0x01)
//   PRK     = HMAC-SHA-256(salt, IKM)
//   CEK     = HMAC-SHA-256(PRK, "Content-Encoding: aes128gcm" 0x00 0x01)[0..16)
//   NONCE   = HMAC-SHA-256(PRK, "Content-Encoding: nonce" 0x00 0x01)[0..12)
//   body    = salt (16) || rs (uint32 BE, 4096) || idlen (1) = 65 || as_public (65)
//             || AES-128-GCM(CEK, NONCE, plaintext || 0x02) with its 16-byte tag
//
// The body is 86 + plaintext + 17 bytes; push services need take no more than
// 4096, so a plaintext over 3993 bytes is refused. No padding is added: the
// length of the body shows the length of the message.
//
// decrypt_web_push() is the user agent's side, for tests and mock push
// services.
//
// Errors (kind invalid unless said); no message quotes key material:
//   invalid_public_key  p256dh or the body's key is not a P-256 point
//   invalid_auth        auth is not 16 bytes
//   invalid_salt        an injected salt is not 16 bytes
//   payload_too_large   the plaintext is over 3993 bytes (kind too_large)
//   invalid_web_push    a body that is not one aes128gcm record
//   bad_web_push        a body that does not decrypt (wrong key or auth, or altered)
//   crypto_failed       OpenSSL failed where it should not (kind internal)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace notify::crypto {

class P256Key;

constexpr std::size_t kWebPushAuthBytes = 16;
constexpr std::size_t kWebPushSaltBytes = 16;
constexpr std::uint32_t kWebPushRecordSize = 4096;
constexpr std::size_t kWebPushHeaderBytes = 16 + 4 + 1 + 65;
constexpr std::size_t kWebPushMaxPlaintext = kWebPushRecordSize - kWebPushHeaderBytes - 16 - 1;

// The keys of one message, from the ECDH secret on; see above.
struct WebPushKeys {
    std::string prk_key;  // 32 bytes
    std::string ikm;      // 32
    std::string prk;      // 32
    std::string cek;      // 16
    std::string nonce;    // 12
};
WebPushKeys derive_web_push_keys(std::string_view ecdh_secret, std::string_view auth,
                                 std::string_view ua_public, std::string_view as_public,
                                 std::string_view salt);

// salt || rs (4096) || 65 || as_public: the first 86 bytes of a body.
std::string web_push_header(std::string_view salt, std::string_view as_public);

// The body for `plaintext`, with a fresh key pair and a random salt.
Expected<std::string> encrypt_web_push(std::string_view plaintext, std::string_view ua_public,
                                       std::string_view auth);
// The same with the application-server key and salt given: for tests only,
// as reusing either across messages gives away the content.
Expected<std::string> encrypt_web_push(std::string_view plaintext, std::string_view ua_public,
                                       std::string_view auth, const P256Key& as_key,
                                       std::string_view salt);

// The plaintext of `body`, with the user agent's key and auth secret.
Expected<std::string> decrypt_web_push(std::string_view body, const P256Key& ua_key,
                                       std::string_view auth);

}  // namespace notify::crypto
