#include "local_store.hpp"

#include <filesystem>

namespace notify::cli {

Expected<std::unique_ptr<store::Store>> open_store(const Context& ctx, bool create) {
    auto config = load(ctx);
    if (!config) return config.error();
    std::error_code ec;
    if (!create && !std::filesystem::exists(config->store.path, ec))
        return std::unique_ptr<store::Store>();
    store::Options options;
    options.synchronous_full = config->store.synchronous_full;
    options.busy_timeout = config->store.busy_timeout;
    options.create = create;
    return store::Store::open(config->store.path, options);
}

}  // namespace notify::cli
