#include "util/ipc.hpp"

#include <unistd.h>

#include <filesystem>

namespace notify::util {

std::string ipc_path(const std::string& endpoint) {
    const std::string prefix = "ipc://";
    return endpoint.compare(0, prefix.size(), prefix) == 0 ? endpoint.substr(prefix.size()) : "";
}

void prepare_ipc(const std::string& endpoint) {
    std::filesystem::path path(ipc_path(endpoint));
    if (!path.has_parent_path()) return;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
}

void remove_ipc(const std::string& endpoint) {
    std::string path = ipc_path(endpoint);
    if (!path.empty()) unlink(path.c_str());
}

}  // namespace notify::util
