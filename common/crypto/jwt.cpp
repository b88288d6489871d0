// jwt.cpp - compact JWS with ES256 and RS256; see jwt.hpp.
#include "crypto/jwt.hpp"

#include <nlohmann/json.hpp>

#include "crypto/p256_key.hpp"
#include "crypto/rsa_key.hpp"
#include "util/crypto.hpp"
#include "util/json_parse.hpp"

namespace notify::crypto {

namespace {

// JOSE headers and claims of the push providers are a few hundred bytes.
constexpr std::size_t kMaxPartBytes = 64 * 1024;

Error invalid_jwt(std::string message) {
    return make_error(ErrorKind::invalid, "invalid_jwt", std::move(message));
}

// Both parts are JSON objects, and the header names `alg`.
Status check_parts(std::string_view header_json, std::string_view claims_json,
                   std::string_view alg) {
    util::JsonLimits limits;
    limits.max_bytes = kMaxPartBytes;
    limits.what = "the JWT header";
    auto header = util::parse_json(header_json, limits);
    if (!header) return invalid_jwt(header.error().message);
    if (!header->is_object()) return invalid_jwt("the JWT header is not a JSON object");
    auto found = header->find("alg");
    if (found == header->end() || !found->is_string() || found->get<std::string>() != alg)
        return invalid_jwt("the JWT header's \"alg\" is not \"" + std::string(alg) + "\"");
    limits.what = "the JWT claims";
    auto claims = util::parse_json(claims_json, limits);
    if (!claims) return invalid_jwt(claims.error().message);
    if (!claims->is_object()) return invalid_jwt("the JWT claims are not a JSON object");
    return ok();
}

std::string signing_input(std::string_view header_json, std::string_view claims_json) {
    return util::base64url(header_json) + "." + util::base64url(claims_json);
}

}  // namespace

Expected<std::string> jwt_es256(std::string_view header_json, std::string_view claims_json,
                                const P256Key& key) {
    if (auto checked = check_parts(header_json, claims_json, "ES256"); !checked)
        return checked.error();
    std::string input = signing_input(header_json, claims_json);
    auto signature = key.sign_es256(input);
    if (!signature) return signature.error();
    return input + "." + util::base64url(*signature);
}

Expected<std::string> jwt_rs256(std::string_view header_json, std::string_view claims_json,
                                const RsaKey& key) {
    if (auto checked = check_parts(header_json, claims_json, "RS256"); !checked)
        return checked.error();
    std::string input = signing_input(header_json, claims_json);
    auto signature = key.sign_rs256(input);
    if (!signature) return signature.error();
    return input + "." + util::base64url(*signature);
}

Expected<Jws> split_jws(std::string_view token) {
    auto first = token.find('.');
    auto second = first == token.npos ? token.npos : token.find('.', first + 1);
    if (second == token.npos || token.find('.', second + 1) != token.npos)
        return invalid_jwt("a JWT is three base64url parts joined by '.'");
    const std::string_view parts[3] = {token.substr(0, first),
                                       token.substr(first + 1, second - first - 1),
                                       token.substr(second + 1)};
    const char* names[3] = {"header", "claims", "signature"};
    std::string decoded[3];
    for (int i = 0; i < 3; ++i) {
        // Padding has no place in a JWS (RFC 7515 §2).
        if (parts[i].find('=') != parts[i].npos)
            return invalid_jwt(std::string("the JWT's ") + names[i] + " is padded");
        auto bytes = util::base64url_decode(parts[i]);
        if (!bytes)
            return invalid_jwt(std::string("the JWT's ") + names[i] +
                               " is not base64url: " + bytes.error().message);
        decoded[i] = std::move(*bytes);
    }
    return Jws{std::move(decoded[0]), std::move(decoded[1]), std::move(decoded[2]),
               std::string(token.substr(0, second))};
}

Status verify_jwt_es256(std::string_view token, std::string_view public_point) {
    auto jws = split_jws(token);
    if (!jws) return jws.error();
    if (auto checked = check_parts(jws->header_json, jws->claims_json, "ES256"); !checked)
        return checked.error();
    return verify_es256(public_point, jws->signing_input, jws->signature);
}

}  // namespace notify::crypto
