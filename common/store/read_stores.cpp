#include "store/read_stores.hpp"

#include "store/mysql_url.hpp"
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
    if (!*lag)
        return make_error(ErrorKind::unavailable, "replica_stopped",
                          "it replicates nothing now (SHOW REPLICA STATUS: replication stopped, "
                          "cut off from its source, or not set up)");
    if (**lag * 1000 > max_lag)
        return make_error(ErrorKind::unavailable, "replica_behind",
                          "it is " + std::to_string(**lag) + " s behind its source (store." +
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

bool ReadStores::none_fit() const {
    bool checked = false;
    for (const Kept& k : replicas_) {
        if (k.readable) return false;
        checked = checked || k.next_check != 0;
    }
    return checked;
}

ReadStores::ReadStores(Store& leader, const Replicas& replicas)
    : leader_(leader), max_lag_(replicas.max_lag), options_(replicas.options) {
    for (const auto& r : replicas.each) replicas_.push_back({r, nullptr, 0, false, {}});
}

Store& ReadStores::pick() {
    const Millis now = util::steady_ms();
    for (auto& kept : replicas_)
        if (readable(kept, now)) return *kept.store;
    return leader_;
}

bool ReadStores::readable(Kept& kept, Millis now) {
    if (now < kept.next_check) return kept.readable;
    if (!kept.store) {
        auto opened = Store::open_replica(kept.replica.target, options_);
        if (!opened) {
            set_aside(kept, opened.error(), util::steady_ms());  // after the wait
            return false;
        }
        kept.store = std::move(*opened);
    }
    if (auto st = current_enough(*kept.store, max_lag_); !st) {
        set_aside(kept, st.error(), util::steady_ms());
        return false;
    }
    if (!kept.readable) NLOG(info, "", "store.replicas: reading '" << kept.replica.url << "'");
    kept.readable = true;
    kept.why.clear();
    kept.next_check = now + kRecheck;
    return true;
}

bool ReadStores::store_failed(const Error& e) {
    return e.kind == ErrorKind::unavailable || e.kind == ErrorKind::internal;
}

void ReadStores::failed(Store& store, const Error& why) {
    for (auto& kept : replicas_)
        if (kept.store.get() == &store) set_aside(kept, why, util::steady_ms());
}

void ReadStores::set_aside(Kept& kept, const Error& why, Millis now) {
    // Logged when the kind of reason changes, not at every retry.
    if (kept.readable || kept.why != why.code)
        NLOG(warning, "",
             "store.replicas: not reading '" << kept.replica.url
                                             << "' (the leader reads instead): " << why.message);
    kept.readable = false;
    kept.why = why.code;
    kept.next_check = now + kRetry;
}

}  // namespace notify::store
