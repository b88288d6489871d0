// executable_dir.cpp - see the header.
#include "util/executable_dir.hpp"

#include <filesystem>

namespace notify::util {

std::string executable_dir() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : self.parent_path().string();
}

}  // namespace notify::util
