// fuzz_input.hpp - one fuzz input cut into the parts a target feeds to its subject.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace notify::fuzz {

// The input cut at NUL bytes into at most `max` parts (the last keeps the rest).
inline std::vector<std::string_view> split_input(const uint8_t* data, size_t size, size_t max) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> parts;
    while (parts.size() + 1 < max) {
        size_t nul = in.find('\0');
        if (nul == std::string_view::npos) break;
        parts.push_back(in.substr(0, nul));
        in.remove_prefix(nul + 1);
    }
    parts.push_back(in);
    return parts;
}

}  // namespace notify::fuzz
