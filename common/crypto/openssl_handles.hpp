// openssl_handles.hpp - owning handles for the OpenSSL objects that the files of
// common/crypto/ use, and the one way they give up after a failed call.
//
// Internal to notify_crypto: only its .cpp files include this; the public
// headers name no OpenSSL type beyond the forward-declared EVP_PKEY.
//
// OpenSSL keeps a queue of errors per thread. A failure here is reported as an
// Error of our own, so the queue is emptied (failed()) before returning: left
// behind, its entries would be read by the next user of the thread's queue
// (libcurl's TLS reports, for one) as if they were its own.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "util/error.hpp"

namespace notify::crypto::detail {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};

// BIO_free returns int; wrap it so that it fits the deleter's shape.
inline void free_bio(BIO* b) {
    BIO_free(b);
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, free_bio>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX, BN_CTX_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

// Empties the thread's OpenSSL error queue and returns the error to report.
inline Error failed(ErrorKind kind, std::string code, std::string message) {
    ERR_clear_error();
    return make_error(kind, std::move(code), std::move(message));
}

inline const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

inline unsigned char* bytes(std::string& s) {
    return reinterpret_cast<unsigned char*>(s.data());
}

}  // namespace notify::crypto::detail
