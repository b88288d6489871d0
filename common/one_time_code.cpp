// one_time_code.cpp - see one_time_code.hpp.
#include "one_time_code.hpp"

#include "crypto/aes_gcm.hpp"
#include "signed_link.hpp"
#include "util/crypto.hpp"

namespace notify {

namespace {

// Keys of their own for sealing and for MACs, derived from the one secret.
std::string seal_key(const std::string& secret) {
    return util::hmac_sha256(secret, "notify one-time code: seal");
}

std::string mac_key(const std::string& secret) {
    return util::hmac_sha256(secret, "notify one-time code: mac");
}

}  // namespace

Expected<std::string> otp_secret(const Config& config, store::Store& store) {
    return link_secret(config.otp.secret, "otp.secret", "otp.secret", store);
}

std::string generate_code(int length) {
    std::string code;
    code.reserve(static_cast<std::size_t>(length));
    while (static_cast<int>(code.size()) < length) {
        // Bytes of 250 and above are dropped, so each digit is uniform.
        for (unsigned char b : util::random_bytes(static_cast<std::size_t>(length) * 2)) {
            if (b >= 250) continue;
            code += static_cast<char>('0' + b % 10);
            if (static_cast<int>(code.size()) == length) break;
        }
    }
    return code;
}

Expected<std::string> seal_code(const std::string& secret, std::string_view code) {
    const std::string nonce = util::random_bytes(crypto::kGcmNonceBytes);
    auto sealed = crypto::aes_gcm_seal(seal_key(secret), nonce, code);
    if (!sealed) return sealed.error();
    return util::base64url(nonce + *sealed);
}

Expected<std::string> open_code(const std::string& secret, std::string_view sealed) {
    auto raw = util::base64url_decode(sealed);
    if (!raw || raw->size() < crypto::kGcmNonceBytes + crypto::kGcmTagBytes)
        return make_error(ErrorKind::invalid, "bad_seal", "the sealed code is not well formed");
    return crypto::aes_gcm_open(seal_key(secret),
                                std::string_view(*raw).substr(0, crypto::kGcmNonceBytes),
                                std::string_view(*raw).substr(crypto::kGcmNonceBytes));
}

std::string code_mac(const std::string& secret, std::string_view to, std::string_view code) {
    std::string message(to);
    message += '\0';
    message += code;
    return util::hmac_sha256(mac_key(secret), message);
}

namespace {

void replace_every(std::string& text, std::string_view what, std::string_view with) {
    if (what.empty()) return;
    for (std::size_t at = text.find(what); at != std::string::npos;
         at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
}

}  // namespace

void fill_code(std::string& text, const std::string& code) {
    replace_every(text, kCodeMarker, code);
}

void hide_code(std::string& text, const std::string& code) {
    replace_every(text, code, kHiddenCode);
}

}  // namespace notify
