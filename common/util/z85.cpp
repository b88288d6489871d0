#include "util/z85.hpp"

#include <array>
#include <cstdint>

namespace notify::util {

namespace {

constexpr std::string_view kAlphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
static_assert(kAlphabet.size() == 85);

constexpr std::array<int, 256> value_table() {
    std::array<int, 256> t{};
    for (auto& v : t) v = -1;
    for (std::size_t i = 0; i < kAlphabet.size(); ++i)
        t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
    return t;
}
constexpr std::array<int, 256> kValue = value_table();

}  // namespace

std::string z85_encode(std::string_view bytes) {
    if (bytes.size() % 4 != 0) return {};
    std::string out;
    out.reserve(bytes.size() / 4 * 5);
    for (std::size_t i = 0; i < bytes.size(); i += 4) {
        std::uint32_t v = 0;
        for (std::size_t j = 0; j < 4; ++j) v = v << 8 | static_cast<unsigned char>(bytes[i + j]);
        char group[5];
        for (int j = 4; j >= 0; --j) {
            group[j] = kAlphabet[v % 85];
            v /= 85;
        }
        out.append(group, 5);
    }
    return out;
}

std::optional<std::string> z85_decode(std::string_view text) {
    if (text.size() % 5 != 0) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 5 * 4);
    for (std::size_t i = 0; i < text.size(); i += 5) {
        std::uint64_t v = 0;
        for (std::size_t j = 0; j < 5; ++j) {
            const int d = kValue[static_cast<unsigned char>(text[i + j])];
            if (d < 0) return std::nullopt;
            v = v * 85 + static_cast<std::uint64_t>(d);
        }
        if (v > 0xFFFFFFFFu) return std::nullopt;
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>(v >> shift & 0xFF));
    }
    return out;
}

bool is_z85_key(std::string_view text) {
    return text.size() == 40 && z85_decode(text).has_value();
}

}  // namespace notify::util
