// cluster_members.hpp - the processes of a cluster, as each announces itself
// in the store (table `cluster_members`): notify-ingest and
// notify-priority-router write a row every Presence::kBeat (store/presence.hpp),
// a router's row names the workers connected to it, and `notifyctl cluster
// status` reads them. Times are the store's clock (dialect now_millis), so
// hosts whose clocks differ still agree on how long ago a process was seen.
//
// A member is one process role on one host and runtime directory (one process
// of a kind per runtime_dir): a restarted process takes its row over. A row
// not written for kForgetMember (a day) is removed by the next member to start.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::store {

class Store;

struct ClusterMember {
    std::string id;    // member_id(role, host, runtime_dir)
    std::string role;  // "ingest" | "router"
    std::string host;
    std::int64_t pid = 0;
    util::Millis started_at = 0;  // the store's clock, at its first beat
    util::Millis seen_at = 0;     // at its last beat
    util::Millis stopped_at = 0;  // when it stopped cleanly; 0 while it runs
    std::string detail;           // a JSON object: what the process says of itself
};

constexpr util::Millis kForgetMember = 24LL * 3600 * 1000;

// "ROLE@HOST:RUNTIME_DIR", the runtime directory as its SHA-256 when the whole
// would pass 1,000 bytes.
std::string member_id(const std::string& role, const std::string& host,
                      const std::string& runtime_dir);

// Writes `m`'s row now (seen_at is the store's clock; with `first`, so is
// started_at, and stopped_at is cleared). Throws StoreFailure.
void beat(Store& store, const ClusterMember& m, bool first);
// Marks `id` stopped now, with its last detail. Throws StoreFailure.
void stopped(Store& store, const std::string& id, const std::string& detail);
// Removes the rows not written for `age`. Throws StoreFailure.
void forget_members(Store& store, util::Millis age);

struct ClusterView {
    util::Millis now = 0;                // the store's clock when read
    std::vector<ClusterMember> members;  // by role, host, id
};
Expected<ClusterView> read_members(Store& store);

}  // namespace notify::store
