#include "store/configured_store.hpp"

#include "store/mysql_url.hpp"

namespace notify::store {

Expected<std::unique_ptr<Store>> open_configured(const Config::Store& where,
                                                 const Options& options) {
    if (where.on_file()) return Store::open(where.path, options);
    auto target = parse_mysql_url(where.url);
    if (!target) return target.error();
    auto password = resolve_secret(where.password);
    if (!password)
        return make_error(
            ErrorKind::unavailable, "store_unavailable",
            "cannot open store '" + where.url + "': store.password: " + password.error().message);
    target->password = *password;
    return Store::open(*target, options);
}

}  // namespace notify::store
