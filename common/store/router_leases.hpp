// router_leases.hpp - which router may deliver, as the store says (table
// `router_partitions`): a row per partition of the deliveries names the router
// that holds it (its cluster_members id), the epoch of its holding, and when
// the holding expires by the store's clock (dialect now_millis). A router
// renews its lease well before it expires; another takes it only once it has
// expired, with the next epoch, so that two routers never hold it at once. The
// deliveries are one partition for now (kWholeStore): one router delivers,
// and the others stand by to take over.
//
// Fencing: every write transaction of the holder's connections checks first,
// inside the transaction, that the row still names it with its epoch
// (LeaseFence); once another router has taken the partition, the old holder's
// writes are refused, whatever its clock says.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::store {

class Store;

constexpr int kWholeStore = 0;  // the one partition there is for now

struct RouterLease {
    int partition = kWholeStore;
    std::string owner;            // the holder's cluster_members id ("" when none)
    std::int64_t epoch = 0;       // grows by one at each change of holder
    util::Millis expires_at = 0;  // the store's clock
    util::Millis now = 0;         // the store's clock when it was read
};

// In one write transaction: renews the lease of `owner`, whose holding is
// `held` (0 when it holds none), for `length` from the store's clock; takes it
// with the next epoch when `held` is 0 and there is no holder, the holding has
// expired, or it is `owner`'s own (an earlier process of the same router,
// which has ended: one runs per runtime directory). The row as it is after:
// held by `owner` or by another. A holding of `owner`'s that the row no longer
// names (another took it) is not taken back. Throws StoreFailure.
RouterLease claim_lease(Store& store, int partition, const std::string& owner, std::int64_t held,
                        util::Millis length);
// Lets the lease go at once, when `owner` still holds it with `epoch`: another
// router need not wait for it to expire. Throws StoreFailure.
void release_lease(Store& store, int partition, const std::string& owner, std::int64_t epoch);

struct LeaseView {
    util::Millis now = 0;  // the store's clock when read
    std::vector<RouterLease> leases;
};
Expected<LeaseView> read_leases(Store& store);

// What a router holds, shared by its lease's thread and its connections' fences.
struct LeaseHolding {
    LeaseHolding(std::string who, int which) : owner(std::move(who)), partition(which) {}
    const std::string owner;  // its cluster_members id
    const int partition;
    std::atomic<std::int64_t> epoch{0};  // 0: none held
    std::atomic<bool> lost{false};       // a fence found another holder
};

// The check of every write transaction of a holder's connection
// (Db::set_write_fence), one per connection: the row must still name the
// owner with the epoch held, else the transaction is refused (SQLITE_AUTH)
// and the holding is marked lost. On MariaDB the row is read with a shared
// lock, so that a router taking it over waits for the transaction to end.
class LeaseFence : public WriteFence {
  public:
    explicit LeaseFence(std::shared_ptr<LeaseHolding> holding) : holding_(std::move(holding)) {}
    void check(Db& db) override;

  private:
    std::shared_ptr<LeaseHolding> holding_;
    Stmt read_;  // prepared at the first check, on its connection
};

}  // namespace notify::store
