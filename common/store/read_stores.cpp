#include "store/read_stores.hpp"

#include "store/mysql_url.hpp"
#include "store/replica_watch.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace notify::store {

Expected<Replicas> configured_replicas(const Config::Store& where, const Options& options) {
    Replicas out{{}, where.max_replica_lag, options};
    if (where.on_file() || where.replicas.empty()) return out;
    auto password = resolve_secret(where.password);
    if (!password)
        return make_error(
            ErrorKind::unavailable, "store_unavailable",
            "cannot read store.replicas: store.password: " + password.error().message);
    for (const auto& url : where.replicas) {
        auto target = parse_mysql_url(url, "store.replicas");
        if (!target) return target.error();
        target->password = *password;
        out.each.push_back({url, std::move(*target)});
    }
    return out;
}

Status current_enough(Store& store, Millis max_lag) {
    auto lag = store.replication_lag();
    if (!lag) return lag.error();
    return lag_within(*lag, max_lag);
}

Status lag_within(const std::optional<std::int64_t>& lag, Millis max_lag) {
    if (!lag)
        return make_error(ErrorKind::unavailable, "replica_stopped",
                          "it replicates nothing now (SHOW REPLICA STATUS: replication stopped, "
                          "cut off from its source, or not set up)");
    if (*lag * 1000 > max_lag)
        return make_error(ErrorKind::unavailable, "replica_behind",
                          "it is " + std::to_string(*lag) + " s behind its source (store." +
                              "max_replica_lag is " + util::format_duration(max_lag) + ")");
    return ok();
}

Expected<std::unique_ptr<Store>> open_current_replica(const Replica& replica, Millis max_lag,
                                                      const Options& options) {
    auto store = Store::open_replica(replica.target, options);
    if (!store) return store.error();
    if (auto st = current_enough(**store, max_lag); !st) return st.error();
    return store;
}

ReadStores::ReadStores(Store& leader, ReplicaWatch* watch)
    : leader_(leader), watch_(watch), connections_(watch ? watch->replicas().each.size() : 0) {}

ReadStores::~ReadStores() = default;

Store& ReadStores::pick() {
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        if (!watch_->fit(i)) continue;
        if (!connections_[i]) {
            auto opened =
                Store::open_replica(watch_->replicas().each[i].target, watch_->replicas().options);
            if (!opened) {
                watch_->failed(i, opened.error());
                continue;
            }
            connections_[i] = std::move(*opened);
        }
        return *connections_[i];
    }
    return leader_;
}

bool ReadStores::store_failed(const Error& e) {
    return e.kind == ErrorKind::unavailable || e.kind == ErrorKind::internal;
}

void ReadStores::failed(Store& store, const Error& why) {
    for (std::size_t i = 0; i < connections_.size(); ++i)
        if (connections_[i].get() == &store) watch_->failed(i, why);
}

}  // namespace notify::store
