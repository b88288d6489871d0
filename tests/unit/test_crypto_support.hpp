// test_crypto_support.hpp - small helpers for the common/crypto tests: bytes
// from base64url or hex written in a test, and the check every refusal passes
// (the expected code, and OpenSSL's error queue left empty).
#pragma once

#include <catch2/catch.hpp>

#include <openssl/err.h>

#include <string>
#include <string_view>

#include "util/crypto.hpp"
#include "util/error.hpp"

namespace crypto_test {

inline std::string b64u(std::string_view text) {
    auto bytes = notify::util::base64url_decode(text);
    REQUIRE(bytes);
    return *bytes;
}

inline std::string unhex(std::string_view text) {
    std::string out;
    for (size_t i = 0; i + 1 < text.size(); i += 2)
        out += static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16));
    return out;
}

// `result` is the error `code`, and no OpenSSL error is left queued behind it.
template <class T>
void check_refused(const notify::Expected<T>& result, std::string_view code) {
    REQUIRE_FALSE(result);
    CHECK(result.error().code == code);
    CHECK_FALSE(result.error().message.empty());
    CHECK(ERR_peek_error() == 0);
}

}  // namespace crypto_test
