#include "local_store.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "command.hpp"
#include "store/audit.hpp"
#include "store/configured_store.hpp"
#include "store/read_stores.hpp"
#include "util/time.hpp"

namespace notify::cli {

store::Options options_of(const Config& config, bool create) {
    store::Options options;
    options.synchronous_full = config.store.synchronous_full;
    options.busy_timeout = config.store.busy_timeout;
    options.create = create;
    return options;
}

Expected<std::unique_ptr<store::Store>> open_store(const Config& config, bool create) {
    std::error_code ec;
    if (config.store.on_file() && !create && !std::filesystem::exists(config.store.path, ec))
        return std::unique_ptr<store::Store>();
    auto opened = store::open_configured(config.store, options_of(config, create));
    if (!opened && opened.error().code == "store_empty") return std::unique_ptr<store::Store>();
    return opened;
}

Expected<std::unique_ptr<store::Store>> open_store(const Context& ctx, bool create) {
    auto config = load(ctx);
    if (!config) return config.error();
    return open_store(*config, create);
}

Expected<std::unique_ptr<store::Store>> open_store_to_read(Context& ctx) {
    auto config = load(ctx);
    if (!config) return config.error();
    return open_store_to_read(ctx, *config);
}

Expected<std::unique_ptr<store::Store>> open_store_to_read(Context& ctx, const Config& config) {
    auto replicas = store::configured_replicas(config.store, options_of(config, false));
    if (!replicas) return replicas.error();
    for (const auto& replica : replicas->each) {
        auto s = store::open_current_replica(replica, replicas->max_lag, replicas->options);
        if (s) return s;
        if (ctx.globals.verbose)
            warn(ctx, "not reading replica '" + replica.url + "': " + s.error().message);
    }
    return open_store(config, false);
}

std::string operator_name() {
    for (const char* var : {"LOGNAME", "USER"})
        if (const char* v = std::getenv(var); v && *v) return v;
    if (const passwd* pw = getpwuid(geteuid())) return pw->pw_name;
    return "uid " + std::to_string(geteuid());
}

void audit_local(Context& ctx, store::Store& store, const std::string& action,
                 const std::string& target, const std::string& detail) {
    auto st =
        store::record_audit(store, {0, util::now_ms(), operator_name(), action, target, detail});
    if (!st) warn(ctx, "the audit log did not record '" + action + "': " + st.error().message);
}

}  // namespace notify::cli
