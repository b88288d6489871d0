// aliyun_signature.hpp - Alibaba Cloud RPC request signature, version 1
// (HMAC-SHA1), as Dysmsapi and the other RPC-style APIs check it.
//
//   canonical query  every parameter but Signature, sorted by name, each
//                    percent_encode(name) "=" percent_encode(value), joined by '&'
//   string to sign   METHOD "&" percent_encode("/") "&" percent_encode(canonical query)
//   signature        base64(HMAC-SHA1(key = AccessKeySecret + "&", string to sign))
//
// percent_encode is RFC 3986 with upper-case hex (vendor_http.hpp): space is
// %20, '*' is %2A, '~' stays. The request carries the signature as the
// parameter Signature, itself percent-encoded in the query or form body.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace notify::channels {

// Parameter name -> value (UTF-8, not encoded); the map keeps them sorted by name.
using AliyunParams = std::map<std::string, std::string>;

std::string aliyun_canonical_query(const AliyunParams& params);

// `method` is "GET" or "POST".
std::string aliyun_string_to_sign(std::string_view method, const AliyunParams& params);

// The Signature parameter's value (base64, not yet percent-encoded).
std::string aliyun_rpc_signature(std::string_view method, const AliyunParams& params,
                                 std::string_view access_key_secret);

}  // namespace notify::channels
