// router.hpp - the queue manager: owns every delivery's state after acceptance.
//
// In:  new deliveries from the store (read by sequence, on a nudge from ingest
//      or every router.sweep_interval); fan-outs to expand (sends to users and
//      groups); schedules that are due (schedules.hpp: the router writes their
//      notifications); Ready and Result frames from workers on router.listen;
//      cancel, resend, approve, reject, schedule, nudge and receipt requests on
//      router.control.
// Out: deliveries of fan-outs (fanout.hpp), written a step per round; Job
//      frames, rendered per user (personalize.hpp), to workers that have credit;
//      every state change, with its event, to the store (batched).
// Each new delivery passes the preference gate (gate.hpp) once before it is
// queued, and is held for working or quiet hours (holds.hpp) when they apply.
// Which provider takes an attempt, rate limits per provider and failover are
// provider_choice.hpp and rate_limiter.hpp: a channel whose providers are all
// at their limit keeps its deliveries queued, in order, while other channels
// go on. Deliveries scheduled far ahead sleep (sleepers.hpp): only their
// wake-up stays in memory. On start it rebuilds its queues from the store:
// whatever was queued, deferred, scheduled or in flight when the previous
// router stopped is queued again, and deliveries the gate had not checked are
// checked.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

#include "commit_thread.hpp"
#include "config.hpp"
#include "fanout.hpp"
#include "gate.hpp"
#include "holds.hpp"
#include "notification_facts.hpp"
#include "partitions.hpp"
#include "personalize.hpp"
#include "provider_choice.hpp"
#include "rate_limiter.hpp"
#include "ready_queues.hpp"
#include "retry_policy.hpp"
#include "rollups.hpp"
#include "router_metrics.hpp"
#include "schedules.hpp"
#include "sleepers.hpp"
#include "store/audit.hpp"
#include "store/directory_store.hpp"
#include "store/early_receipts.hpp"
#include "store/fanout_store.hpp"
#include "store/store.hpp"
#include "store_backoff.hpp"
#include "timers.hpp"
#include "transition_log.hpp"
#include "unmatched_receipts.hpp"
#include "util/bounded_map.hpp"
#include "wire.hpp"
#include "worker_auth.hpp"
#include "worker_pool.hpp"

namespace notify::store {
class Presence;
}

namespace notify::router {

// What the router keeps in memory of a delivery that is not final yet.
struct Entry {
    std::int64_t seq = 0;
    std::string notification_id;
    std::string channel;
    Priority priority = Priority::medium;
    DeliveryState state = DeliveryState::queued;
    int attempts = 0;
    Millis accepted_at = 0;
    Millis expires_at = 0;
    Millis next_attempt_at = 0;
    Millis dispatched_at = 0;  // of the attempt in flight
    std::string worker;        // identity of the worker holding it, when in flight
    std::string provider;
    std::string last_error;
    bool cancel_requested = false;
    // Providers whose attempts failed since the last backoff: while one of the
    // channel's providers is not among them, a retryable failure fails over at once.
    std::vector<std::string> tried;
    int worker_deaths = 0;   // workers that died holding it (worker_deaths.hpp)
    FactsRef facts;          // of its notification
    std::int64_t size = -1;  // bytes of the content of the attempt in flight
    // Its channel's number in RouterMetrics (router_metrics.hpp).
    std::size_t channel_index = 0;
};

class Sockets;
class LeaseKeeper;

// The row of cluster_members of a router standing by (router_presence.cpp):
// what it is, and who holds the lease it waits for.
std::string standby_description(const Config& config, const LeaseKeeper& lease);

class Router {
  public:
    // With `commit_store` (a second connection to the store), the periodic
    // commits run on a thread of their own (commit_thread.hpp).
    Router(const Config& config, store::Store& store,
           std::unique_ptr<store::Store> commit_store = nullptr);
    ~Router();
    // Binds the sockets and rebuilds the queues from the store.
    Status start();
    // Runs until `stop` is set, then drains and returns; or, with a lease,
    // until another router takes one of its partitions over (lost_lease):
    // then at once, without draining, as nothing it did since may be
    // written; or until the partitions assigned to it change (reassigned):
    // then it drains for kReassignDrain at most, to be made anew for them.
    void run(const std::atomic<bool>& stop);
    // Serves the partitions `lease` assigns to it (lease_keeper.hpp), and
    // tells it so (LeaseKeeper::serve_assigned: what is held and not served is let
    // go); hands out work only while `lease` says so; the store connections
    // are fenced by it already. Before start().
    void hold_with(LeaseKeeper& lease);
    bool reassigned() const { return reassigned_; }
    static constexpr Millis kReassignDrain = 2000;
    // Takes in only the deliveries of `partitions` (partitions.hpp), and
    // the fan-outs of their notifications; every partition of
    // router.partitions unless told. Each provider's rate limits and cap of
    // attempts in flight shrink to the set's share of them
    // (PartitionSet::share_of): the routers serving the others take the
    // rest. Before start().
    void serve(PartitionSet partitions);
    bool lost_lease() const { return lost_lease_; }
    // Tells `presence` what the router is, every Presence::kBeat while it runs
    // (router_presence.cpp).
    void announce_with(store::Presence& presence);

  private:
    // One round of run() after the poll: frames in, sweeps, timers,
    // dispatching, expansion, commits. Throws StoreFailure where a read fails.
    void round(Millis now, Millis drain_until, Millis& next_sweep, Millis& next_flush,
               Millis& next_liveness, Millis& next_purge);
    // --- work coming in (router.cpp)
    Status rebuild();
    // Takes in the deliveries stored since the last sweep, up to seq `up_to`;
    // with `rows`, that many at most, asking for another round when more remain.
    static constexpr std::int64_t kWholeStore = std::numeric_limits<std::int64_t>::max();
    void sweep(std::int64_t up_to = kWholeStore, int rows = 0);
    // How many seqs a sweep sharing the partitions reads at once for `want`
    // deliveries of its own.
    std::int64_t stretch(int want) const;
    // Takes in, ahead of the sweep, the high-priority deliveries ingest named
    // in its nudges (urgent_): admitted at once, remembered in taken_early_ so
    // that the sweep counts them in order without admitting them again.
    void take_urgent(Millis now);
    // Takes in the deliveries a fan-out step just wrote, without reading them back.
    void take_step(const store::ExpansionStep& s);
    // A delivery stored after last_seq_, in store order: counted, then
    // admitted (gated first when the gate has not seen it).
    void take_new(const Delivery& d, Millis now, const Gate::KnownOptOuts* known = nullptr);
    // Takes `d` in: an Entry with its timers, or a sleeper (sleepers.hpp)
    // when it is scheduled far ahead and `may_sleep`.
    void admit(const Delivery& d, bool may_sleep = true);
    // Admits the sleepers due to wake, a batch at a time.
    void wake_sleepers(Millis now);
    // What memory keeps of a delivery read from the store.
    Entry entry_of(const Delivery& d);
    // A delivery seen for the first time: suppressed by the gate, or admitted,
    // held until its hold ends (holds.hpp) when one applies.
    void admit_new(const Delivery& d, Millis now, const Gate::KnownOptOuts* known = nullptr);
    // Admits `d` as scheduled until `hold` ends, with the event "held".
    void admit_held(const Delivery& d, const Hold& hold, Millis now);
    // The event "held" of an entry scheduled until `hold` ends (which may be
    // an entry not kept in active_: the delivery sleeps once admitted).
    void note_held(const std::string& id, Entry& e, const Hold& hold, Millis now);
    void fire_timers(Millis now);
    // Makes the notifications of the schedules that are due, and takes in
    // their deliveries and fan-outs.
    void fire_schedules(Millis now);
    // --- work going out (dispatch.cpp)
    void dispatch(Millis now);
    // What became of a delivery offered to a worker: sent to it; not sent
    // (it ended, waits, or its channel or itself cannot go now); or the
    // worker was found gone (and forgotten).
    enum class Offer { sent, not_sent, worker_gone };
    Offer dispatch_one(WorkerInfo& w, const std::string& id, Entry& e, Millis now);
    // The job of the delivery `id`, as the store has it: read ahead, or read
    // now with the next ones of its queue that can go, as many as `credit`
    // (the worker's it goes to) allows, in one statement (64 at most).
    std::optional<wire::Job> job_of(const std::string& id, const Entry& e, long credit);
    // Opens dispatch_reads_ if it is not open: inside dispatch() only.
    void read_for_dispatch();
    void on_worker_frame(const std::string& identity, const std::string& frame, Millis now);
    void on_result(WorkerInfo* w, const wire::Result& r, Millis now);
    // The vendor says a delivery's address is gone for good: that address of the
    // user on the channel is removed, unless the user registered it again after
    // `gone_since` (when the vendor found it invalid; 0: not said). What to add
    // to the delivery's event ("" when nothing was removed).
    std::string forget_gone_address(const std::string& id, Millis gone_since, const Entry& e);
    // Writes ready deliveries of inbox channels into their users' inboxes
    // (inbox.cpp), a bounded batch per call.
    void deliver_to_inboxes(Millis now);
    // False when the delivery could not go now (its provider is blocked).
    bool deliver_to_inbox(const std::string& id, Entry& e, Millis now);
    void retry_or_fail(const std::string& id, Entry& e, const std::string& reason,
                       Millis retry_after, Millis now);
    // Queues the delivery at once for the channel's next provider it has not
    // failed on since its last backoff; false when there is none. `permanent`:
    // after a permanent failure of the provider's alone, also a provider whose
    // breaker does not admit attempts now (the delivery waits for it).
    bool fail_over(const std::string& id, Entry& e, const std::string& reason, Millis now,
                   bool permanent = false);
    void drop_silent_workers(Millis now);
    // The channels whose providers are all at their rate limit or cap, and when
    // the first one with deliveries waiting frees up (rate_wake_).
    void update_blocked(Millis now);
    // What a worker that left was holding: queued again, or failed when workers
    // keep dying on it (worker_deaths.hpp). `how` says how it was found gone.
    void worker_gone(const WorkerInfo& w, const std::string& how, Millis now);
    // --- operator requests (control.cpp)
    void on_control_frame(const std::string& identity, const std::string& frame, bool delimiter);
    // A reply (a JSON object) saying which partitions this router answers
    // for ("partitions": "0-1", "of": 4), when not every one
    // (ingest/router_replies.hpp); else as it is.
    std::string answering_for_partitions(std::string reply) const;
    std::string cancel(const std::string& notification_id, const std::string& by);
    std::string resend(const std::string& notification_id);
    std::string decide(const std::string& op, const std::string& notification_id,
                       const std::string& by, const std::string& reason);
    // --- figures for /metrics (router_gauges.cpp): what the state holds now
    RouterGauges gauges() const;
    // --- its row of cluster_members (router_presence.cpp): a JSON object
    std::string self_description(Millis now) const;
    // --- the providers' circuit breakers (provider_states.cpp)
    // Their changes since the last call: counted, and kept for the audit log.
    void note_breaker_changes();
    // Appends the kept changes to the audit log (in a flush's transaction).
    void write_breaker_audit();
    // {"op":"providers"}: each configured provider's breaker.
    std::string providers_reply(Millis now);

    // --- provider receipts (receipts.cpp)
    // The reply, or nullopt when it is held until the flush that commits what
    // the receipts recorded.
    std::optional<std::string> receipts(const nlohmann::json& request, const std::string& identity,
                                        bool delimiter);
    // The delivery a receipt names, as the store has it.
    std::optional<Delivery> receipt_delivery(const ReceiptNote& r);
    // "recorded", "duplicate" or "ignored". `source` names where it came from
    // in the event's detail: "receipt" (the vendor) or "tracking" (a link).
    const char* apply_receipt(const Delivery& d, const ReceiptNote& r, Millis now,
                              const char* source = "receipt");
    // Opens and clicks of tracked email (tracking_link.hpp), in a batch.
    std::string track(const nlohmann::json& request);
    // An open or click of `d`, the first of its kind recorded: "recorded",
    // "duplicate" or "ignored".
    const char* record_tracking(const Delivery& d, ReceiptNote r, Millis now);
    // Sends the held replies: what they say when `committed`, else an error.
    void answer_held(bool committed);
    // Receipts, opens and clicks waiting for their send, in the store too
    // (store/early_receipts.hpp): read back at start; what came and went
    // since the last commit, to write in the next, and what it writes.
    void restore_early_receipts(Millis now);
    void note_early_changes();
    void write_early_changes();
    // What waited for the delivery `id` just sent as `message_id` (a
    // provider's receipt, opens and clicks), applied: called as it leaves memory.
    void apply_waiting(const std::string& id, const Entry& e, const std::string& message_id,
                       Millis now);

    // Records a change to the store and the log; final states leave memory.
    void transition(const std::string& id, Entry& e, DeliveryState state, const char* event,
                    const std::string& detail, Millis now, const std::string& message_id = {});
    void make_ready(const std::string& id, Entry& e);
    // Commits the transition log (or, while writes fail and nothing waits, probes
    // the store) and tells the backoff how it went.
    // `last`: the rollups are written whether or not it is their time.
    // `background`: on the commit thread, when there is one and nothing else
    // (a held reply, receipts, a breaker's change, a rebuild) waits for the
    // commit; else here, once the commit under way has ended.
    void flush_log(Millis now, bool last = false, bool background = false);
    // Takes the outcome of the commit under way, once it has ended (`wait`:
    // waits for it): counted, and told to the backoff. Whatever writes to the
    // store or reads what the router wrote does this first.
    void settle_commit(Millis now, bool wait);

    const Config& config_;
    store::Store& store_;
    // The commit thread, and the rollups' statements on its connection.
    std::unique_ptr<CommitThread> commit_thread_;
    std::unique_ptr<store::RollupStore> commit_rollups_;
    bool rollups_committing_ = false;  // the commit under way writes the rollups
    std::unique_ptr<Sockets> sockets_;
    std::unique_ptr<WorkerAuth> worker_auth_;  // CURVE on sockets_->workers; before them at exit
    ReadyQueues ready_;
    Timers timers_;
    Sleepers sleepers_;
    RetryPolicy retry_;
    RateLimiter limiter_;
    ProviderChoice choice_;
    // Channels whose providers all have a rate limit or a cap of attempts in flight.
    std::vector<std::string> limited_channels_;
    // Channels of inbox providers: the router writes their deliveries itself
    // (inbox.cpp); no worker takes them.
    std::vector<std::string> inbox_channels_;
    bool inbox_backlog_ = false;     // deliver_to_inboxes left ready ones for the next round
    std::size_t inbox_turn_ = 0;     // the inbox channel deliver_to_inboxes starts at, in turn
    std::set<std::string> blocked_;  // of those, the ones at their limit now
    // Deliveries held for a place at a provider during one dispatch(): back
    // at the head of their queues when it ends.
    std::vector<std::tuple<Priority, std::string, ReadyItem>> set_aside_;
    // Jobs read ahead (job_of), kept across rounds until taken: what they
    // hold of a delivery and its notification does not change once stored
    // (a job's attempt and provider are set as it goes out). Bounded in
    // number and in bytes of content (jobs_ahead_bytes_).
    std::unordered_map<std::string, wire::Job> jobs_ahead_;
    std::size_t jobs_ahead_bytes_ = 0;
    // The snapshot of one dispatch()'s reads, from the first (read_for_dispatch).
    std::optional<store::ReadTransaction> dispatch_reads_;
    Millis rate_wake_ = 0;  // when a blocked channel with work frees up; 0: none
    WorkerPool workers_;
    std::unique_ptr<store::FanoutStore> fanouts_;
    std::unique_ptr<store::DirectoryStore> directory_;
    NotificationFactsCache facts_;
    Rollups rollups_;
    RouterMetrics metrics_;
    store::InboxStore inbox_;
    TransitionLog log_;
    StoreBackoff backoff_;
    store::Presence* presence_ = nullptr;
    const LeaseKeeper* lease_ = nullptr;
    PartitionSet partitions_;       // serve()
    std::uint64_t assignment_ = 0;  // lease_->assignments() when hold_with() served them
    bool lost_lease_ = false;
    bool reassigned_ = false;
    Millis next_beat_ = 0;
    Gate gate_;
    Holds holds_;
    Expander expander_;
    accept::StoredTemplates templates_;  // parsed templates, for personalizer_ and schedules_
    Personalizer personalizer_;
    Schedules schedules_;
    std::unordered_map<std::string, Entry> active_;
    UnmatchedReceipts unmatched_;
    UnmatchedReceipts early_tracking_;  // opens and clicks of deliveries in flight
    std::unique_ptr<store::EarlyReceipts> early_store_;
    // (kind, change) of both, not committed yet, in order.
    std::vector<std::pair<const char*, UnmatchedReceipts::Change>> early_changes_;
    // Deliveries' opens and clicks recorded lately ("ID\nread"), so that one
    // not committed yet is not recorded twice (receipts.cpp).
    static constexpr std::size_t kMaxTrackedKept = 100'000;
    util::BoundedMap<bool> tracked_{kMaxTrackedKept};
    struct HeldReply {
        std::string identity;
        std::string reply;
        bool delimiter = false;
    };
    std::vector<HeldReply> held_replies_;           // control replies waiting for a commit
    std::vector<store::AuditEntry> breaker_audit_;  // breakers' changes not committed yet
    std::int64_t last_seq_ = 0;
    // Every delivery of the partitions it serves up to it has passed the gate
    // (or is final): the mark of the partitions its lease holds, else the store's.
    std::int64_t gated_seq_ = 0;
    bool sweep_requested_ = false;
    std::vector<std::int64_t> urgent_;    // seqs named by nudges since the last round
    std::set<std::int64_t> taken_early_;  // taken by take_urgent, not swept yet
    bool scan_requested_ = false;         // look for fan-outs that are ready to expand
};

}  // namespace notify::router
