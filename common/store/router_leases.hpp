// router_leases.hpp - which router delivers what, as the store says (table
// `router_partitions`): the deliveries are divided into router.partitions
// partitions, and a row per partition names the router that holds it (its
// cluster_members id), the epoch of that holding, and when it expires by the
// store's clock (dialect now_millis). The live routers share the partitions:
// each claims its share, ceil(partitions / live routers), counting those
// holding a row that has not expired and those whose last claim has not
// (table `router_claimants`: each claim says until when it counts, the same
// time as the rows it renews, and with which count; a clean stop removes
// it, and a router counting otherwise is not counted); one holding more than its share
// gives the rest back (once it no longer serves them), and one holding fewer
// takes rows that have expired or were let go. A router renews its rows well
// before they expire; another takes a row only once it has expired, with the
// row's next epoch, so that two routers never hold a partition at once.
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
// Fencing: every write transaction of a holder's connections checks first,
// inside the transaction, that every row it holds still names it with its
// epoch (LeaseFence); once another router has taken one over, the old
// holder's writes are refused, whatever its clock says.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "partitions.hpp"
#include "store/db.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::store {

class Store;

// Each partition's epoch of a router's holding, 0 where it holds none.
using Epochs = std::vector<std::int64_t>;
// The partitions whose epoch is not 0, in order.
std::vector<int> partitions_held(const Epochs& epochs);

// What a claim found and did.
struct LeaseClaim {
    Epochs epochs;                // the claimant's holding after the claim (empty when refused)
    bool lost = false;            // a row it held names another now (nothing was written)
    int share = 0;                // how many partitions it should hold
    int routers = 0;              // the live routers it was counted among
    util::Millis now = 0;         // the store's clock when it was read
    util::Millis expires_at = 0;  // of its holding
    // Of the rows it wants and another holds (when it holds fewer than its
    // share), the one that expires first: its holder, epoch and expiry.
    std::string holder;
    std::int64_t epoch = 0;
    util::Millis holder_expires_at = 0;
    // The first expiry of a row another router holds, or of another's claim
    // (0: none): when the share may change.
    util::Millis next_expiry = 0;
    // How many partitions the rows count, when it is not the claimant's
    // count and a router holds one: the claimant is refused (0: they agree).
    int other_count = 0;
};

// In one write transaction: lets go of the rows of `let_go` that `owner`
// holds (one that no longer names it was let go already, and is not a
// loss), renews the rest of its holding (`held`: what it held after its last
// claim, `count` epochs or none) for `length` from the store's clock, and
// takes rows that have expired or were let go, the lowest first, while it
// holds fewer than its share (a row naming `owner` that it does not hold is
// an earlier process's of the same router, which has ended, as one runs per
// runtime directory: taken at once). A row made for another count is made
// anew with `count` when no router holds one. When a row it held names
// another now, nothing is written (`lost`). Throws StoreFailure.
LeaseClaim claim_partitions(Store& store, int count, const std::string& owner, const Epochs& held,
                            const PartitionSet& let_go, util::Millis length);
// Lets every row `owner` holds with the epoch of `held` go at once, and its
// claim: another router need not wait for them to expire. In a transaction
// of its own, on a connection without a fence (the keeper's). Throws
// StoreFailure.
void release_partitions(Store& store, const std::string& owner, const Epochs& held);

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
class LeaseHolding {
  public:
    LeaseHolding(std::string who, int partitions)
        : owner(std::move(who)), count(partitions), epochs_(static_cast<std::size_t>(partitions)) {}
    const std::string owner;        // its cluster_members id
    const int count;                // router.partitions
    std::atomic<bool> lost{false};  // a fence found another holder
    Epochs epochs() const;
    void set(Epochs epochs);
    // The partitions held.
    PartitionSet held() const;

  private:
    mutable std::mutex mu_;
    Epochs epochs_;
};

// The check of every write transaction of a holder's connection
// (Db::set_write_fence), one per connection: every row the owner holds must
// still name it with its epoch, and it must hold one, else the transaction
// is refused (SQLITE_AUTH) and the holding is marked lost. On MariaDB the
// rows are read with a shared lock, so that a router taking one over waits
// for the transaction to end.
class LeaseFence : public WriteFence {
  public:
    explicit LeaseFence(std::shared_ptr<LeaseHolding> holding) : holding_(std::move(holding)) {}
    void check(Db& db) override;

  private:
    std::shared_ptr<LeaseHolding> holding_;
    Stmt read_;  // prepared at the first check, on its connection
};

}  // namespace notify::store
