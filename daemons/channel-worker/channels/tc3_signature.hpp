// tc3_signature.hpp - Tencent Cloud API signature v3 (TC3-HMAC-SHA256).
//
//   canonical request  METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n hex(sha256(body))
//                      HEADERS: "name:value\n" per signed header, both lower-case
//                      and trimmed, sorted by name; SIGNED-HEADERS "a;b;c"
//   string to sign     "TC3-HMAC-SHA256" \n TIMESTAMP \n DATE/SERVICE/tc3_request \n
//                      hex(sha256(canonical request)); DATE is the UTC day of TIMESTAMP
//   signing key        HMAC-SHA256 chain: "TC3" + SecretKey -> DATE -> SERVICE -> "tc3_request"
//   signature          hex(HMAC-SHA256(signing key, string to sign))
//   Authorization      "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,
//                      SignedHeaders=..., Signature=..." (comma and space between)
//
// Every header that is signed must be sent with exactly the signed value
// (Content-Type included: nothing may add a charset behind it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::channels {

struct Tc3Request {
    std::string method = "POST";
    std::string uri = "/";
    std::string query;  // canonical query string; "" for POST
    // The signed headers as sent (any case, any order).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string payload;  // the exact body bytes
};

// "content-type;host;x-tc-action": the lower-case names, sorted.
std::string tc3_signed_headers(const Tc3Request& request);

std::string tc3_canonical_request(const Tc3Request& request);

// "2019-02-25" for 1551113065: the UTC date of a Unix time in seconds.
std::string tc3_date(std::int64_t timestamp);

std::string tc3_string_to_sign(std::int64_t timestamp, std::string_view service,
                               std::string_view canonical_request);

// The derived signing key (raw 32 bytes).
std::string tc3_signing_key(std::string_view secret_key, std::string_view date,
                            std::string_view service);

// Lower-case hex HMAC-SHA256 of `string_to_sign` under `signing_key` (raw bytes).
std::string tc3_signature(std::string_view signing_key, std::string_view string_to_sign);

// The Authorization header's value for `request`.
std::string tc3_authorization(std::string_view secret_id, std::string_view secret_key,
                              std::int64_t timestamp, std::string_view service,
                              const Tc3Request& request);

}  // namespace notify::channels
