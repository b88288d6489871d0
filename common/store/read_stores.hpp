// read_stores.hpp - reads that may trail the latest writes by a moment (lists,
// reports, the audit log, the dashboard's pages), made on a read replica of
// store.replicas when one is close enough behind the leader, else on the
// leader. Reads that must see what was just written (a notification's status
// after its send, `send --wait`, approvals, anything before a write) use the
// leader directly and never come here.
//
// A replica is read while SHOW REPLICA STATUS puts it no more than
// store.max_replica_lag behind its source. It is set aside when it is further
// behind, when its replication is stopped or cut off, when it does not answer,
// or when its schema is not this build's; a read that fails on it is made
// again on the leader. The checks are a ReplicaWatch's, on a thread of its own
// (store/replica_watch.hpp): a read never waits for one; a replica that comes
// back is read again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config.hpp"
#include "store/mariadb_db.hpp"
#include "store/store.hpp"

namespace notify::store {

struct Replica {
    std::string url;  // as configured, for messages
    MariaTarget target;
};

// The replicas to read, and how.
struct Replicas {
    std::vector<Replica> each;
    Millis max_lag = 2000;  // store.max_replica_lag
    Options options;        // of their connections
};

// The replicas of `where` (store.replicas), reached with the leader's
// store.password; none for a SQLite store.
Expected<Replicas> configured_replicas(const Config::Store& where, const Options& options);

// A connection to `replica` if it can be read now: it answers, has this
// build's schema, and is no more than `max_lag` behind; else why not.
Expected<std::unique_ptr<Store>> open_current_replica(const Replica& replica, Millis max_lag,
                                                      const Options& options);
// Whether `store`, a replica, is no more than `max_lag` behind now; else why not.
Status current_enough(Store& store, Millis max_lag);
// Whether a replica `lag` seconds behind (Store::replication_lag; none: it
// replicates nothing now) may be read; else why not.
Status lag_within(const std::optional<std::int64_t>& lag, Millis max_lag);

class ReplicaWatch;

// Used by one thread at a time.
class ReadStores {
  public:
    // Whether a read failed for the store's sake, not the request's.
    static bool store_failed(const Error& e);

    // Reads the replicas `watch` finds fit (store/replica_watch.hpp), each
    // over a connection of this reader's own; without it, only the leader.
    explicit ReadStores(Store& leader, ReplicaWatch* watch = nullptr);
    ~ReadStores();

    // The store to read from now: the first replica fit to be read, else the leader.
    Store& pick();
    // `read(store)`, an Expected, on pick(); when that is a replica and it
    // fails for the store's sake (unavailable, internal, or a StoreFailure
    // thrown), the replica is set aside and the leader answers instead.
    template <class Read>
    auto read(Read&& fn) -> std::invoke_result_t<Read&, Store&> {
        Store& store = pick();
        if (&store == &leader_) return fn(leader_);
        try {
            auto answer = fn(store);
            if (answer || !store_failed(answer.error())) return answer;
            failed(store, answer.error());
        } catch (const StoreFailure& f) {
            failed(store, to_error(f));
        }
        return fn(leader_);
    }

    Store& leader() { return leader_; }
    // A read on `store`, picked here, failed for the store's sake: a replica
    // is set aside until the watch checks it again (for a read that cannot
    // simply be made again).
    void failed(Store& store, const Error& why);

  private:
    Store& leader_;
    ReplicaWatch* watch_;
    std::vector<std::unique_ptr<Store>> connections_;  // by replica, opened when first read
};

}  // namespace notify::store
