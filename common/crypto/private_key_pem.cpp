// private_key_pem.cpp - reading and writing private keys as PEM; see
// private_key_pem.hpp.
#include "crypto/private_key_pem.hpp"

#include <openssl/pem.h>

namespace notify::crypto::detail {

namespace {

// RFC 7468 §3: printable ASCII but '-'.
bool is_label(std::string_view label) {
    for (char c : label)
        if (c < ' ' || c > '~' || c == '-') return false;
    return !label.empty();
}

struct Block {
    std::string_view label;  // what "-----BEGIN <label>-----" names
    std::string_view text;   // from that line to the end of the input
};

// The first block whose label `wanted` accepts; else the first block of any
// label, or an empty one when the text has no BEGIN line. Keys made with
// `openssl ecparam -genkey` start with an "EC PARAMETERS" block.
template <class Wanted>
Block find_block(std::string_view pem, Wanted wanted) {
    constexpr std::string_view begin = "-----BEGIN ";
    Block first;
    for (auto at = pem.find(begin); at != pem.npos; at = pem.find(begin, at + 1)) {
        auto rest = pem.substr(at + begin.size());
        auto end = rest.find("-----");
        if (end == rest.npos || end > 64 || !is_label(rest.substr(0, end))) continue;
        Block block{rest.substr(0, end), pem.substr(at)};
        if (wanted(block.label)) return block;
        if (first.label.empty()) first = block;
    }
    return first;
}

bool is_private_key_label(std::string_view label) {
    return label == "PRIVATE KEY" || label == "EC PRIVATE KEY" || label == "RSA PRIVATE KEY";
}

// Asked for a passphrase, there is none: the read fails instead of prompting
// on the terminal, as OpenSSL's default callback would.
int no_passphrase(char*, int, int, void*) {
    return -1;
}

}  // namespace

Expected<PkeyPtr> read_private_key_pem(std::string_view pem) {
    if (pem.size() > kMaxPemBytes)
        return make_error(ErrorKind::invalid, "invalid_pem",
                          "the PEM text is over " + std::to_string(kMaxPemBytes) + " bytes");
    Block block = find_block(pem, [](std::string_view label) {
        return is_private_key_label(label) || label == "ENCRYPTED PRIVATE KEY";
    });
    std::string_view label = block.label;
    if (label.empty())
        return make_error(ErrorKind::invalid, "invalid_pem",
                          "no PEM private key found (expected '-----BEGIN PRIVATE KEY-----')");
    std::string_view headers = block.text.substr(0, block.text.find("-----END"));
    if (label == "ENCRYPTED PRIVATE KEY" || headers.find("Proc-Type: 4,ENCRYPTED") != headers.npos)
        return make_error(ErrorKind::invalid, "encrypted_key",
                          "the private key is protected by a passphrase; decrypt it first "
                          "(openssl pkey -in KEY -out PLAIN.pem)");
    if (!is_private_key_label(label))
        return make_error(ErrorKind::invalid, "invalid_pem",
                          "the PEM block is a '" + std::string(label) +
                              "', not a private key (expected '-----BEGIN PRIVATE KEY-----')");
    BioPtr bio(BIO_new_mem_buf(block.text.data(), static_cast<int>(block.text.size())));
    if (!bio) return failed(ErrorKind::internal, "out_of_memory", "cannot buffer the PEM text");
    PkeyPtr key(
        PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, no_passphrase, nullptr, nullptr, nullptr));
    if (!key)
        return failed(ErrorKind::invalid, "invalid_pem",
                      "the '" + std::string(label) + "' PEM block does not hold a valid key");
    return key;
}

Expected<std::string> write_pkcs8_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return failed(ErrorKind::internal, "key_export_failed", "cannot write the key as PEM");
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    std::string out(data, static_cast<std::size_t>(size));
    // The BIO's buffer is freed without being wiped; wipe what we can.
    OPENSSL_cleanse(data, static_cast<std::size_t>(size));
    return out;
}

}  // namespace notify::crypto::detail
