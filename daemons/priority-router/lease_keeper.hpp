// lease_keeper.hpp - the router's leases on its partitions of the deliveries
// (store/router_leases.hpp), kept on a thread of its own and a store
// connection of its own, so that a busy loop never lets them lapse. It
// claims every `length` / 5, and again as the first row another router
// holds expires (that router may be gone, and the share then changes): it
// renews what it holds and takes rows that are free while it holds fewer
// than its share. What it holds above its share is given back once the
// router no longer serves it: assigned() leaves it out, the router starts
// again with what is assigned (main.cpp), and serve_assigned() lets the keeper
// release the rest. While it holds nothing, the router stands by.
//
// Dispatching: the router hands out work only while dispatching() says so:
// until `length` less two renewals after the start of the last renewal that
// succeeded, by this host's CLOCK_BOOTTIME (which, unlike the steady clock,
// counts a suspended host's sleep). The store lets another router take
// the lease only `length` after that renewal's commit, by its own clock: so
// a router cut off from the store, or paused, has stopped handing out work
// before another may start. Its writes are fenced as well (fence()): once
// another router holds the lease, every write transaction of this one is
// refused, and lost() tells the router to stop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <thread>

#include "store/router_leases.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

namespace notify::router {

class LeaseKeeper {
  public:
    // `owner`: this router's cluster_members id. `partitions`:
    // router.partitions. `length`: router.partition_lease.
    LeaseKeeper(std::unique_ptr<store::Store> store, std::string owner, int partitions,
                util::Millis length);
    ~LeaseKeeper();  // ends the thread; the lease is left to expire
    LeaseKeeper(const LeaseKeeper&) = delete;
    LeaseKeeper& operator=(const LeaseKeeper&) = delete;

    void start();
    // Waits up to `timeout` for this router to hold a partition, or to be
    // refused; whether it holds one.
    bool wait_until_held(util::Millis timeout);
    // What the router should serve now: the partitions held, less those
    // above its share.
    PartitionSet assigned() const;
    // Counts the changes of assigned(): the router looks at it every round.
    std::uint64_t assignments() const { return assignments_.load(); }
    // The router serves what is assigned now, from now on (it has stopped
    // serving anything else): what is held above the share is let go at once.
    struct Assignment {
        PartitionSet partitions;
        std::uint64_t version = 0;  // of assignments()
    };
    Assignment serve_assigned();
    // Why this router may not hold the lease ("" while it may): the router
    // delivering now divides the deliveries into another count of partitions,
    // and was seen renewing its holding (one whose holding is let expire is
    // waited out). It claims no more once refused.
    std::string refusal() const;
    // Whether work may be handed out now.
    bool dispatching() const { return clock() < valid_until_.load(); }
    // Another router took one of its partitions over: this one must stop at once.
    bool lost() const { return holding_->lost.load(); }
    // This router's cluster_members id, which the rows of what it holds name.
    const std::string& owner() const { return holding_->owner; }
    util::Millis length() const { return length_; }
    // A fence for one of the router's connections (Db::set_write_fence).
    std::shared_ptr<store::WriteFence> fence() const;
    // What it says of the lease in the router's row of cluster_members: its
    // state (held, standby or lost), the partitions held and its share, the
    // router holding the first row it waits for and when that expires.
    nlohmann::json description() const;
    // Ends the thread and lets the lease go, when it still holds it, so that
    // another router takes over at once.
    void stop();

  private:
    // Milliseconds of CLOCK_BOOTTIME.
    static util::Millis clock();
    void run();
    // One claim; how long until the next.
    util::Millis claim();
    // After a claim that holds `epochs` with `share`: what is above the
    // share (the highest partitions held), and what is assigned.
    void assign(const store::Epochs& epochs, int share);

    std::unique_ptr<store::Store> store_;
    std::shared_ptr<store::LeaseHolding> holding_;
    const util::Millis length_;
    const util::Millis renew_every_;
    std::atomic<util::Millis> valid_until_{0};  // clock()
    mutable std::mutex mu_;
    std::condition_variable wake_;  // stop(), and a lease taken (wait_until_held)
    bool stopping_ = false;         // under mu_
    bool claim_now_ = false;        // under mu_: serve_assigned() let some go
    PartitionSet serving_;          // under mu_: serve_assigned()
    PartitionSet above_share_;      // under mu_: held, to give back
    PartitionSet assigned_;         // under mu_: assigned()
    int share_ = 0;                 // under mu_: of the last claim
    std::atomic<std::uint64_t> assignments_{0};
    std::string holder_;             // under mu_: the other router holding the row it waits for
    util::Millis holder_until_ = 0;  // under mu_: when that row expires (clock())
    std::string refusal_;            // under mu_: refusal()
    // Under mu_: the holder last seen while standing by, and its expiry then
    // (the store's clock): seen again with a later one, it is renewing.
    struct Seen {
        std::string holder;
        util::Millis expires_at = 0;
    } other_;
    bool failing_ = false;  // thread only
    // Thread only: the epochs of what is let go, no longer in the holding,
    // until a claim has let it go.
    store::Epochs letting_go_;
    std::thread thread_;
};

}  // namespace notify::router
