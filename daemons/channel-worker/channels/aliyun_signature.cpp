// aliyun_signature.cpp - Alibaba Cloud RPC signature version 1 (HMAC-SHA1).
#include "channels/aliyun_signature.hpp"

#include "channels/vendor_http.hpp"
#include "util/crypto.hpp"

namespace notify::channels {

std::string aliyun_canonical_query(const AliyunParams& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        if (name == "Signature") continue;
        if (!out.empty()) out += '&';
        out += percent_encode(name);
        out += '=';
        out += percent_encode(value);
    }
    return out;
}

std::string aliyun_string_to_sign(std::string_view method, const AliyunParams& params) {
    return std::string(method) + "&" + percent_encode("/") + "&" +
           percent_encode(aliyun_canonical_query(params));
}

std::string aliyun_rpc_signature(std::string_view method, const AliyunParams& params,
                                 std::string_view access_key_secret) {
    std::string key = std::string(access_key_secret) + "&";
    return util::base64(util::hmac_sha1(key, aliyun_string_to_sign(method, params)));
}

}  // namespace notify::channels
