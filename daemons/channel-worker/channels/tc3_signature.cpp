// tc3_signature.cpp - Tencent Cloud TC3-HMAC-SHA256 request signature.
#include "channels/tc3_signature.hpp"

#include <algorithm>
#include <ctime>

#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace notify::channels {

namespace {

// The signed headers as (lower-case name, lower-case trimmed value), sorted by name.
std::vector<std::pair<std::string, std::string>> canonical_headers(const Tc3Request& request) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, value] : request.headers)
        out.emplace_back(util::to_lower(util::trim(name)), util::to_lower(util::trim(value)));
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::string tc3_signed_headers(const Tc3Request& request) {
    std::string out;
    for (const auto& [name, value] : canonical_headers(request)) {
        if (!out.empty()) out += ';';
        out += name;
    }
    return out;
}

std::string tc3_canonical_request(const Tc3Request& request) {
    std::string headers;
    for (const auto& [name, value] : canonical_headers(request))
        headers += name + ":" + value + "\n";
    return request.method + "\n" + request.uri + "\n" + request.query + "\n" + headers + "\n" +
           tc3_signed_headers(request) + "\n" + util::hex(util::sha256(request.payload));
}

std::string tc3_date(std::int64_t timestamp) {
    std::time_t t = static_cast<std::time_t>(timestamp);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

std::string tc3_string_to_sign(std::int64_t timestamp, std::string_view service,
                               std::string_view canonical_request) {
    return "TC3-HMAC-SHA256\n" + std::to_string(timestamp) + "\n" + tc3_date(timestamp) + "/" +
           std::string(service) + "/tc3_request\n" + util::hex(util::sha256(canonical_request));
}

std::string tc3_signing_key(std::string_view secret_key, std::string_view date,
                            std::string_view service) {
    std::string secret_date = util::hmac_sha256("TC3" + std::string(secret_key), date);
    std::string secret_service = util::hmac_sha256(secret_date, service);
    return util::hmac_sha256(secret_service, "tc3_request");
}

std::string tc3_signature(std::string_view signing_key, std::string_view string_to_sign) {
    return util::hex(util::hmac_sha256(signing_key, string_to_sign));
}

std::string tc3_authorization(std::string_view secret_id, std::string_view secret_key,
                              std::int64_t timestamp, std::string_view service,
                              const Tc3Request& request) {
    const std::string date = tc3_date(timestamp);
    const std::string to_sign =
        tc3_string_to_sign(timestamp, service, tc3_canonical_request(request));
    return "TC3-HMAC-SHA256 Credential=" + std::string(secret_id) + "/" + date + "/" +
           std::string(service) + "/tc3_request, SignedHeaders=" + tc3_signed_headers(request) +
           ", Signature=" + tc3_signature(tc3_signing_key(secret_key, date, service), to_sign);
}

}  // namespace notify::channels
