// vapid.cpp - the VAPID Authorization header; see vapid.hpp.
#include "crypto/vapid.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

#include "crypto/jwt.hpp"
#include "crypto/p256_key.hpp"
#include "util/crypto.hpp"

namespace notify::crypto {

namespace {

Error invalid_endpoint(std::string message) {
    return make_error(ErrorKind::invalid, "invalid_endpoint", std::move(message));
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && lowercase(s.substr(0, prefix.size())) == prefix;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace

Expected<std::string> web_push_origin(std::string_view url) {
    auto colon = url.find("://");
    std::string scheme = colon == url.npos ? "" : lowercase(url.substr(0, colon));
    if (scheme != "https" && scheme != "http")
        return invalid_endpoint("the push endpoint is not an http or https URL");
    std::string_view authority = url.substr(colon + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (auto at = authority.rfind('@'); at != authority.npos) authority.remove_prefix(at + 1);

    std::string_view host = authority;
    std::string_view port;
    if (!host.empty() && host.front() == '[') {  // an IPv6 literal
        auto close = host.find(']');
        if (close == host.npos)
            return invalid_endpoint("the push endpoint's IPv6 host has no closing ']'");
        if (close + 1 < host.size()) {
            if (host[close + 1] != ':')
                return invalid_endpoint("the push endpoint's host is followed by other text");
            port = host.substr(close + 2);
        }
        host = host.substr(0, close + 1);
    } else if (auto sep = host.find(':'); sep != host.npos) {
        port = host.substr(sep + 1);
        host = host.substr(0, sep);
    }
    if (host.empty() || host == "[]") return invalid_endpoint("the push endpoint has no host");
    for (char c : host)
        if (c <= ' ' || c > '~' || c == '"' || c == '\\' || c == '<' || c == '>')
            return invalid_endpoint("the push endpoint's host has a character a host cannot have");
    std::string origin = scheme + "://" + lowercase(host);
    if (authority.size() > host.size()) {  // a ':' and a port
        unsigned long number =
            all_digits(port) && port.size() <= 5 ? std::stoul(std::string(port)) : 0;
        if (number == 0 || number > 65535)
            return invalid_endpoint("the push endpoint's port '" + std::string(port) +
                                    "' is not a number from 1 to 65535");
        // RFC 6454 §6.2: the port is written only when it is not the scheme's default.
        if (number != (scheme == "https" ? 443u : 80u)) origin += ":" + std::to_string(number);
    }
    return origin;
}

Expected<std::string> vapid_authorization(const P256Key& key, std::string_view endpoint_url,
                                          std::string_view subject, std::int64_t expires) {
    auto origin = web_push_origin(endpoint_url);
    if (!origin) return origin.error();
    if (!starts_with_nocase(subject, "mailto:") && !starts_with_nocase(subject, "https:"))
        return make_error(
            ErrorKind::invalid, "invalid_subject",
            "the VAPID subject '" + std::string(subject) + "' is not a mailto: or https: URI");
    nlohmann::ordered_json claims;
    claims["aud"] = *origin;
    claims["exp"] = expires;
    claims["sub"] = std::string(subject);
    std::string claims_json;
    try {
        claims_json = claims.dump();
    } catch (const nlohmann::json::exception&) {  // the only cause: text that is not UTF-8
        return make_error(ErrorKind::invalid, "invalid_subject", "the VAPID subject is not UTF-8");
    }
    auto token = jwt_es256(R"({"typ":"JWT","alg":"ES256"})", claims_json, key);
    if (!token) return token.error();
    return "vapid t=" + *token + ", k=" + util::base64url(key.public_point());
}

}  // namespace notify::crypto
