// router_leases.hpp - which router may deliver, as the store says (table
// `router_partitions`): the deliveries are divided into router.partitions
// partitions, and a row per partition names the router that holds it (its
// cluster_members id), the epoch of its holding, and when the holding expires
// by the store's clock (dialect now_millis). A router holds every partition
// or none: one router delivers, and the others stand by to take over. It
// renews its holding well before it expires; another takes it only once it
// has expired, with the next epoch, so that two routers never hold a
// partition at once.
//
// The count of rows is the count of partitions: a router configured with
// another count than the routers holding them now is refused. When none is
// held (every router stopped), the first to start sets the count.
//
// Each row keeps the preference gate's mark of its partition (gated_seq:
// every delivery of the partition up to it has passed the gate), written by
// the holder with its transitions. Rows made anew (a new count, or none
// before) start from the lowest mark of the rows they replace, else from
// the store's ("router.gated_seq", which routers without a lease keep).
//
// Fencing: every write transaction of the holder's connections checks first,
// inside the transaction, that every row still names it with its epoch
// (LeaseFence); once another router has taken the partitions, the old
// holder's writes are refused, whatever its clock says.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "partitions.hpp"
#include "store/db.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::store {

class Store;

// What a claim found: the partitions held by the claimant, or by another.
struct LeaseClaim {
    bool held = false;            // the claimant holds every partition now
    std::int64_t epoch = 0;       // of the holding: the claimant's when held, else the holder's
    std::string holder;           // the claimant when held, else the router holding them
    util::Millis expires_at = 0;  // of the holding, by the store's clock
    util::Millis now = 0;         // the store's clock when it was read
    // How many partitions the holder counts, when it is not the claimant's
    // count: the claimant is refused (0: they agree, or none is held).
    int other_count = 0;
};

// In one write transaction: renews the holding of `owner`, whose epoch is
// `held` (0 when it holds none), for `length` from the store's clock; takes
// every partition with the next epoch when `held` is 0 and none is held by
// another router (each has expired or was let go, or is `owner`'s own: an
// earlier process of the same router, which has ended, as one runs per
// runtime directory), setting their count to `count`. A holding of `owner`'s
// that the rows no longer name (another took them) is not taken back. Throws
// StoreFailure.
LeaseClaim claim_partitions(Store& store, int count, const std::string& owner, std::int64_t held,
                            util::Millis length);
// Lets the partitions go at once, when `owner` still holds them with
// `epoch`: another router need not wait for them to expire. Throws StoreFailure.
void release_partitions(Store& store, const std::string& owner, std::int64_t epoch);

// The gate's mark of the partitions of `serves` (the lowest of their rows,
// whoever holds them): every delivery of them up to it has passed the
// router's preference gate (router/gate.hpp). Nothing when there are no
// rows; 0 when one of them has none. Throws StoreFailure.
std::optional<std::int64_t> read_gate_mark(Db& db, const PartitionSet& serves);
// Sets the mark of the partitions of `serves` that `owner` holds, in the
// caller's (fenced) transaction. Throws StoreFailure.
void write_gate_mark(Db& db, const std::string& owner, const PartitionSet& serves,
                     std::int64_t seq);

// A row of router_partitions.
struct RouterLease {
    int partition = 0;
    std::string owner;  // the holder's cluster_members id
    std::int64_t epoch = 0;
    util::Millis expires_at = 0;  // the store's clock
};

struct LeaseView {
    util::Millis now = 0;  // the store's clock when read
    std::vector<RouterLease> leases;
};
Expected<LeaseView> read_leases(Store& store);

// What a router holds, shared by its lease's thread and its connections' fences.
struct LeaseHolding {
    LeaseHolding(std::string who, int partitions) : owner(std::move(who)), count(partitions) {}
    const std::string owner;             // its cluster_members id
    const int count;                     // router.partitions
    std::atomic<std::int64_t> epoch{0};  // 0: none held
    std::atomic<bool> lost{false};       // a fence found another holder
};

// The check of every write transaction of a holder's connection
// (Db::set_write_fence), one per connection: every row must still name the
// owner with the epoch held, else the transaction is refused (SQLITE_AUTH)
// and the holding is marked lost. On MariaDB the rows are read with a shared
// lock, so that a router taking them over waits for the transaction to end.
class LeaseFence : public WriteFence {
  public:
    explicit LeaseFence(std::shared_ptr<LeaseHolding> holding) : holding_(std::move(holding)) {}
    void check(Db& db) override;

  private:
    std::shared_ptr<LeaseHolding> holding_;
    Stmt read_;  // prepared at the first check, on its connection
};

}  // namespace notify::store
