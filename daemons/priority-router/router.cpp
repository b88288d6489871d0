#include "router.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "lease_keeper.hpp"
#include "provider_type.hpp"
#include "sockets.hpp"
#include "store/db.hpp"
#include "store/presence.hpp"
#include "util/ipc.hpp"
#include "util/log.hpp"

namespace notify::router {

namespace {
RetryLimits limits_of(const Config& c) {
    return RetryLimits{c.router.retry_min, c.router.retry_max,
                       static_cast<int>(c.router.max_attempts), c.router.max_lifetime};
}
constexpr int kSweepBatch = 5000;
// Deliveries a round's sweep reads at most, so that a backlog being read does
// not hold up dispatching (a few milliseconds' work).
constexpr int kRoundRows = 2000;
}  // namespace

Router::Router(const Config& config, store::Store& store,
               std::unique_ptr<store::Store> commit_store)
    : config_(config),
      store_(store),
      sockets_(std::make_unique<Sockets>()),
      ready_(static_cast<int>(config.router.share_medium),
             static_cast<int>(config.router.share_low)),
      retry_(limits_of(config)),
      limiter_(config),
      choice_(config, limiter_),
      fanouts_(std::make_unique<store::FanoutStore>(store)),
      directory_(std::make_unique<store::DirectoryStore>(store)),
      facts_(*fanouts_),
      rollups_(store, config.router.rollup_interval),
      metrics_(config),
      inbox_(store.handle()),
      log_(*fanouts_, inbox_),
      backoff_(config.router.flush_interval),
      partitions_(PartitionSet::all(static_cast<int>(config.router.partitions))),
      gate_(config, *fanouts_, *directory_, facts_),
      holds_(config, *directory_),
      expander_(config, *fanouts_),
      templates_(store, config.templates.default_locale),
      personalizer_(config, store, *directory_, templates_.shared()),
      schedules_(config, store, *directory_, templates_) {
    early_store_ = std::make_unique<store::EarlyReceipts>(store.handle());
    if (commit_store) {
        commit_thread_ = std::make_unique<CommitThread>(std::move(commit_store));
        commit_rollups_ = std::make_unique<store::RollupStore>(commit_thread_->store());
        log_.commit_on(*commit_thread_);
    }
    for (const auto& name : config.channel_names())
        if (choice_.can_block(name)) limited_channels_.push_back(name);
    for (const auto& name : config.channel_names())
        if (address_kind(config.channel_type(name)) == AddressKind::user)
            inbox_channels_.push_back(name);
    // A step writes its suppressed deliveries with their events: counted here;
    // the others are gated and queued at once.
    expander_.on_written([this](const store::ExpansionStep& s) {
        metrics_.expanded(s.deliveries.size(), s.done);
        for (const Delivery& d : s.deliveries) {
            if (d.state != DeliveryState::suppressed) continue;
            metrics_.entered(metrics_.channel_index(d.channel), d.state, 0);
            store::Transition t;
            t.at = s.at;
            t.event_type = "suppressed";
            t.reason = store::suppression_reason(d.last_error);
            rollups_.logged(t, d.channel, d.priority, *facts_.get(s.notification_id), d.created_at);
        }
        take_step(s);
    });
}

void Router::serve(PartitionSet partitions) {
    partitions_ = std::move(partitions);
    rollups_.count_by(partitions_.holds_all()   ? Rollups::Counting::as_it_goes
                      : partitions_.contains(0) ? Rollups::Counting::from_store
                                                : Rollups::Counting::none);
    for (const auto& [name, p] : config_.providers) {
        std::vector<FrequencyCap> limits = p.rate_limits;
        for (FrequencyCap& l : limits) l.count = partitions_.share_of(l.count);
        limiter_.set_limits(name, limits);
        choice_.caps().set_cap(name,
                               partitions_.share_of(ConnectionCaps::configured(config_, name)));
    }
}

Router::~Router() {
    worker_auth_.reset();  // its socket is in the sockets' context, which waits for it
    sockets_.reset();
    util::remove_ipc(config_.router.listen);
    util::remove_ipc(config_.router.control);
}

Status Router::start() {
    try {
        for (auto* s : {&sockets_->workers, &sockets_->control}) {
            s->set(zmq::sockopt::linger, 0);
            s->set(zmq::sockopt::router_mandatory, 1);
        }
        auto auth = WorkerAuth::start(sockets_->context, sockets_->workers, config_.router);
        if (!auth) return auth.error();
        worker_auth_ = std::move(*auth);
        util::prepare_ipc(config_.router.listen);
        util::prepare_ipc(config_.router.control);
        sockets_->workers.bind(config_.router.listen);
        sockets_->control.bind(config_.router.control);
    } catch (const zmq::error_t& e) {
        return make_error(ErrorKind::unavailable, "bind_failed",
                          std::string("cannot bind router sockets: ") + e.what());
    }
    if (auto st = holds_.start(); !st) return st;
    return rebuild();
}

Status Router::rebuild() {
    const Millis now = util::now_ms();
    // The gate counts what it admitted before; deliveries after its mark are
    // checked now, in store order.
    const store::GateMarkScope marks{lease_ ? lease_->owner() : std::string(), partitions_};
    log_.mark_scope(marks);
    gated_seq_ = fanouts_->gated_seq(marks);
    gate_.rebuild(gated_seq_, now, partitions_);
    // Read the high-water mark first: anything stored later is found by sweep().
    last_seq_ = store_.max_delivery_seq();
    if (auto st = rollups_.start(last_seq_); !st) return st;
    restore_early_receipts(now);
    std::size_t in_flight = 0, checked = 0;
    store_.for_each_active([&](const Delivery& d) {
        last_seq_ = std::max(last_seq_, d.seq);
        if (!partitions_.serves(d)) return;
        rollups_.accepted(d, *facts_.get(d.notification_id));
        metrics_.accepted(metrics_.channel_index(d.channel));
        if (d.state == DeliveryState::in_flight) ++in_flight;
        // One attempted above the mark was gated before it was dispatched
        // (taken ahead of the sweep: take_urgent), and the gate counted it again
        // in rebuild().
        if (d.seq > gated_seq_ && d.attempts == 0) {
            admit_new(d, now);
            ++checked;
        } else {
            admit(d);
        }
    });
    if (last_seq_ > gated_seq_) {
        gated_seq_ = last_seq_;
        log_.set_gated_seq(gated_seq_);
    }
    expander_.scan(partitions_);
    schedules_.load(partitions_);
    NLOG(info, "",
         "rebuilt queues from the store: active="
             << active_.size() << " requeued_in_flight=" << in_flight << " ready=" << ready_.size()
             << " timers=" << timers_.size() << " asleep=" << sleepers_.size()
             << " gated=" << checked << " expanding=" << expander_.expanding());
    return ok();
}

void Router::sweep(std::int64_t up_to, int rows) {
    if (up_to == kWholeStore) sweep_requested_ = false;
    const Millis now = util::now_ms();
    const std::int64_t gated_before = gated_seq_;
    // The new deliveries, their notifications' facts and the gate's lookups:
    // one snapshot.
    store::ReadTransaction reads(store_.handle());
    // Sharing the partitions, the store returns only this router's deliveries
    // (at most a batch) of a stretch of seqs sized to hold about a batch of
    // them; unless the batch is full, the mark moves to the stretch's end,
    // which is never past the last seq stored (writers take turns, so every
    // seq up to it is in the snapshot).
    const bool shared = !partitions_.holds_all();
    if (shared) up_to = std::min(up_to, store_.max_delivery_seq());
    int read = 0;
    while (!shared || last_seq_ < up_to) {
        const int want = rows > 0 ? std::min(kSweepBatch, rows - read) : kSweepBatch;
        const std::int64_t stretch_end =
            shared ? std::min(up_to, last_seq_ + stretch(want)) : up_to;
        auto batch = shared ? store_.load_new(partitions_, last_seq_, want, stretch_end)
                            : store_.load_new(last_seq_, want, up_to);
        facts_.prefetch(batch);
        for (const Delivery& d : batch) {
            // The store's rule and partition_of must agree, or a delivery is
            // nobody's: say so loudly.
            if (shared && !partitions_.serves(d))
                NLOG(error, d.notification_id,
                     "delivery=" << d.id
                                 << " was read as one of this router's partitions but is not; "
                                    "the store computes partitions otherwise");
            take_new(d, now);
        }
        const bool full = batch.size() == static_cast<std::size_t>(want);
        // A stretch counts as the batch it is sized for, however few of its
        // deliveries are this router's, so that a round passes over a bounded part.
        read += shared ? want : static_cast<int>(batch.size());
        if (shared && !full) {
            last_seq_ = stretch_end;  // the others' deliveries are passed over
            gated_seq_ = std::max(gated_seq_, stretch_end);
        } else if (!full) {
            break;
        }
        if (rows > 0 && read >= rows) {
            sweep_requested_ = true;  // the rest in the next round
            break;
        }
    }
    taken_early_.erase(taken_early_.begin(), taken_early_.upper_bound(last_seq_));
    if (gated_seq_ != gated_before) log_.set_gated_seq(gated_seq_);
}

std::int64_t Router::stretch(int want) const {
    // The share of the deliveries this router's partitions should hold; a
    // stretch is at most 16 batches long, so that a statement's scan is bounded
    // when the partitions held are few of many.
    constexpr std::int64_t kLongest = 16;
    const std::int64_t held = std::max(1, partitions_.held());
    return std::int64_t{want} * std::min(kLongest, (partitions_.count() + held - 1) / held);
}

void Router::take_urgent(Millis now) {
    if (urgent_.empty()) return;
    store::ReadTransaction reads(store_.handle());
    for (std::int64_t seq : urgent_) {
        if (seq <= last_seq_ || taken_early_.count(seq)) continue;
        auto d = store_.find_delivery_by_seq(seq);
        if (!d || d->priority != Priority::high || !partitions_.serves(*d)) continue;
        taken_early_.insert(seq);
        if (!is_final(d->state) && !active_.count(d->id)) admit_new(*d, now);
    }
    urgent_.clear();
}

void Router::take_step(const store::ExpansionStep& s) {
    // What was stored before the step is taken first, so that the gate sees
    // deliveries in store order; the step's own are not read back. Behind a
    // backlog longer than a round, the sweep reads them back in its rounds.
    if (s.seq_before - last_seq_ > kRoundRows) {
        sweep_requested_ = true;
        return;
    }
    if (s.seq_before > last_seq_) sweep(s.seq_before);
    const std::int64_t gated_before = gated_seq_;
    store::ReadTransaction reads(store_.handle());
    for (const Delivery& d : s.deliveries) take_new(d, s.at, &s.opt_outs);
    if (gated_seq_ != gated_before) log_.set_gated_seq(gated_seq_);
}

void Router::take_new(const Delivery& d, Millis now, const Gate::KnownOptOuts* known) {
    last_seq_ = d.seq;
    if (!partitions_.serves(d)) {
        gated_seq_ = std::max(gated_seq_, d.seq);
        return;
    }
    rollups_.accepted(d, *facts_.get(d.notification_id));
    metrics_.accepted(metrics_.channel_index(d.channel));
    if (!is_final(d.state) && !active_.count(d.id) && !taken_early_.count(d.seq)) {
        if (d.seq > gated_seq_)
            admit_new(d, now, known);
        else
            admit(d);
    }
    gated_seq_ = std::max(gated_seq_, d.seq);
}

void Router::admit_new(const Delivery& d, Millis now, const Gate::KnownOptOuts* known) {
    auto reason = gate_.check(d, now, known);
    if (!reason) {
        const bool first = d.attempts == 0 && (d.state == DeliveryState::queued ||
                                               d.state == DeliveryState::scheduled);
        const Millis at =
            std::max(now, d.state == DeliveryState::scheduled ? d.next_attempt_at : 0);
        if (auto hold = first ? holds_.check(d, *facts_.get(d.notification_id), at) : std::nullopt)
            admit_held(d, *hold, now);
        else
            admit(d);
        return;
    }
    store::Transition t;
    t.delivery_id = d.id;
    t.state = DeliveryState::suppressed;
    t.attempts = d.attempts;
    t.next_attempt_at = d.next_attempt_at;
    t.last_error = *reason;
    t.at = now;
    t.event_type = "suppressed";
    t.event_detail = *reason;
    t.reason = store::suppression_reason(*reason);
    rollups_.logged(t, d.channel, d.priority, *facts_.get(d.notification_id), d.created_at);
    metrics_.entered(metrics_.channel_index(d.channel), DeliveryState::suppressed, 0);
    log_.add(std::move(t));
    NLOG(info, d.notification_id, "delivery=" << d.id << " state=suppressed " << *reason);
}

void Router::admit_held(const Delivery& d, const Hold& hold, Millis now) {
    Delivery held = d;
    held.state = DeliveryState::scheduled;
    held.next_attempt_at = hold.until;
    Entry e = entry_of(held);
    note_held(d.id, e, hold, now);
    admit(held);
}

void Router::note_held(const std::string& id, Entry& e, const Hold& hold, Millis now) {
    std::string detail = "until " + util::format_rfc3339(hold.until) + " (" + hold.why + ")";
    if (e.expires_at && e.expires_at <= hold.until)
        detail += "; it expires before then, at " + util::format_rfc3339(e.expires_at);
    transition(id, e, DeliveryState::scheduled, "held", detail, now);
}

Entry Router::entry_of(const Delivery& d) {
    Entry e;
    e.seq = d.seq;
    e.notification_id = d.notification_id;
    e.channel = d.channel;
    e.priority = d.priority;
    e.state = d.state;
    e.attempts = d.attempts;
    e.accepted_at = d.created_at;
    e.expires_at = d.expires_at;
    e.next_attempt_at = d.next_attempt_at;
    e.provider = d.provider;
    e.last_error = d.last_error;
    e.facts = facts_.get(d.notification_id);
    e.channel_index = metrics_.channel_index(d.channel);
    return e;
}

void Router::admit(const Delivery& d, bool may_sleep) {
    if (auto wake = may_sleep ? Sleepers::wake_at(d, util::now_ms()) : std::nullopt) {
        sleepers_.add(*wake, d.seq, metrics_.channel_index(d.channel));
        return;
    }
    auto [it, _] = active_.insert_or_assign(d.id, entry_of(d));
    Entry& entry = it->second;
    if (entry.expires_at) timers_.add({entry.expires_at, TimerKind::expiry, d.id, 0});
    switch (entry.state) {
        case DeliveryState::scheduled:
        case DeliveryState::deferred:
            timers_.add({entry.next_attempt_at, TimerKind::due, d.id, entry.attempts});
            break;
        case DeliveryState::in_flight:
            // Its worker answers to a router that no longer exists: queue it again.
            entry.state = DeliveryState::queued;
            make_ready(d.id, entry);
            break;
        default:
            make_ready(d.id, entry);
            break;
    }
}

void Router::wake_sleepers(Millis now) {
    // Wake-ups read the store: it must hold every change made meanwhile (a
    // cancel, say) first.
    if (sleepers_.next_at() == 0 || sleepers_.next_at() > now || !backoff_.ready(now) ||
        log_.committing())
        return;
    if (log_.pending()) flush_log(now);
    if (log_.pending()) return;
    // A few milliseconds of reads at a time (the loop comes straight back),
    // so that timers coming due meanwhile fire on time.
    constexpr std::size_t kBatch = 200;
    store::ReadTransaction reads(store_.handle());
    for (std::int64_t seq : sleepers_.take_due(now, kBatch)) {
        auto d = store_.find_delivery_by_seq(seq);
        if (!d) continue;
        sleepers_.woke(seq, metrics_.channel_index(d->channel));
        if (d->state == DeliveryState::scheduled && !active_.count(d->id)) admit(*d);
    }
}

void Router::make_ready(const std::string& id, Entry& e) {
    e.state = DeliveryState::queued;
    ready_.push(e.priority, e.channel, ReadyItem{e.seq, id});
}

void Router::fire_timers(Millis now) {
    for (const Timer& t : timers_.take_due(now)) {
        auto it = active_.find(t.delivery_id);
        if (it == active_.end()) continue;
        Entry& e = it->second;
        switch (t.kind) {
            case TimerKind::due:
                if ((e.state == DeliveryState::scheduled || e.state == DeliveryState::deferred) &&
                    e.attempts == t.attempt) {
                    // Scheduled for another time than its send_at: a hold
                    // (derived, so a restart keeps it).
                    const bool held = e.facts && e.next_attempt_at != e.facts->send_at;
                    const char* why = e.state == DeliveryState::deferred ? "retry due"
                                      : held                             ? "hold ended"
                                                                         : "send_at reached";
                    transition(t.delivery_id, e, DeliveryState::queued, "queued", why, now);
                    ready_.push(e.priority, e.channel, ReadyItem{e.seq, t.delivery_id});
                }
                break;
            case TimerKind::lease:
                if (e.state == DeliveryState::in_flight && e.attempts == t.attempt) {
                    WorkerInfo* w = workers_.find(e.worker);
                    if (w && w->last_seen <= e.dispatched_at) {
                        // Not a word for a whole lease, though a live worker heartbeats
                        // every worker.heartbeat: dead or hung, whatever it holds.
                        WorkerInfo gone = *w;
                        workers_.remove(gone.identity);
                        NLOG(warning, "",
                             "worker=" << gone.name << " was not heard from for a lease; "
                                       << "requeueing in_flight=" << gone.in_flight.size());
                        worker_gone(gone, "was not heard from for a whole lease", now);
                        break;
                    }
                    if (w) w->in_flight.erase(t.delivery_id);
                    choice_.caps().release(t.delivery_id, t.attempt);
                    retry_or_fail(t.delivery_id, e,
                                  "no result within the lease of " +
                                      util::format_duration(config_.router.lease),
                                  0, now);
                }
                break;
            case TimerKind::expiry:
                if (e.state != DeliveryState::in_flight && e.expires_at && now >= e.expires_at) {
                    std::string detail = "expired at " + util::format_rfc3339(e.expires_at);
                    if (!e.last_error.empty()) detail += "; last error: " + e.last_error;
                    transition(t.delivery_id, e, DeliveryState::expired, "expired", detail, now);
                }
                break;
        }
    }
}

void Router::fire_schedules(Millis now) {
    // A failure is the schedules' own to retry (Schedules::next_at): the
    // router's backoff is for the writes of delivery outcomes.
    const auto fired = schedules_.fire_due(now);
    if (fired.notifications == 0) return;
    sweep(kWholeStore, kRoundRows);
    if (fired.fanout) expander_.scan(partitions_);
}

void Router::transition(const std::string& id, Entry& e, DeliveryState state, const char* event,
                        const std::string& detail, Millis now, const std::string& message_id) {
    e.state = state;
    store::Transition t;
    if (std::string_view(event) == "failed" || std::string_view(event) == "retry")
        t.reason = store::failure_reason(e.last_error.empty() ? detail : e.last_error);
    if (state == DeliveryState::sent) t.size = e.size;
    if (state == DeliveryState::failed || state == DeliveryState::expired) e.last_error = detail;
    t.delivery_id = id;
    t.state = state;
    t.attempts = e.attempts;
    t.next_attempt_at = e.next_attempt_at;
    t.provider = e.provider;
    t.provider_message_id = message_id;
    t.last_error = e.last_error;
    t.at = now;
    t.event_type = event;
    t.event_detail = detail;
    if (e.facts) rollups_.logged(t, e.channel, e.priority, *e.facts, e.accepted_at);
    metrics_.entered(e.channel_index, state, now - e.accepted_at);
    log_.add(std::move(t));
    if (is_final(state)) {
        NLOG(info, e.notification_id,
             "delivery=" << id << " state=" << to_string(state) << " attempts=" << e.attempts << " "
                         << detail);
        std::string key = id;  // `id` may live in the entry being erased
        choice_.caps().forget(key);
        // Receipts, opens and clicks that came before the worker's answer
        // (receipts.cpp).
        std::optional<Entry> sent;
        if (state == DeliveryState::sent && (!unmatched_.empty() || !early_tracking_.empty()))
            sent = std::move(e);  // leaves with the entry
        active_.erase(key);
        if (sent) apply_waiting(key, *sent, message_id, now);
    } else {
        NLOG(debug, e.notification_id,
             "delivery=" << id << " state=" << to_string(state) << " " << detail);
    }
}

void Router::settle_commit(Millis now, bool wait) {
    auto outcome = log_.finish_commit(wait);
    if (!outcome) return;
    const bool committed = static_cast<bool>(outcome->status);
    metrics_.committed(outcome->seconds, committed);
    if (rollups_committing_) rollups_.background_written(committed, now);
    rollups_committing_ = false;
    backoff_.record(outcome->status, now);
}

void Router::flush_log(Millis now, bool last, bool background) {
    if (background) settle_commit(now, false);
    const bool rollups = rollups_.due(now) || (last && !rollups_.idle());
    note_early_changes();
    note_breaker_changes();
    const bool early = !early_changes_.empty();
    const bool breakers = !breaker_audit_.empty();
    // Receipts' replies and changes, and breakers' changes, are written here;
    // so is what a store refusing writes waits on (probe_write), and a rebuild.
    if (background && !early && !breakers && held_replies_.empty() &&
        !(rollups && rollups_.must_write_here()) && commit_rollups_) {
        if (log_.committing()) return;  // this one waits for the next round
        std::function<void()> also;
        if (rollups) also = rollups_.background_writer(*commit_rollups_);
        if (log_.start_commit(std::move(also))) {
            rollups_committing_ = rollups;
            return;
        }
    }
    settle_commit(now, true);
    if (log_.pending() || rollups || early || breakers || !backoff_.failing()) {
        // Else nothing is committed.
        const bool writes = log_.pending() > 0 || rollups || early || breakers;
        const auto started = std::chrono::steady_clock::now();
        std::function<void()> also;
        if (rollups || early || breakers)
            also = [this, early, breakers,
                    rollup_writer = rollups ? rollups_.writer() : std::function<void()>()] {
                if (rollup_writer) rollup_writer();
                if (early) write_early_changes();
                if (breakers) write_breaker_audit();
            };
        Status st = log_.flush(also);
        if (early && st) early_changes_.clear();
        if (breakers && st) breaker_audit_.clear();
        if (writes)
            metrics_.committed(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                static_cast<bool>(st));
        if (rollups) rollups_.written(static_cast<bool>(st), now);
        if (!held_replies_.empty()) answer_held(static_cast<bool>(st));
        backoff_.record(st, now);
    } else {
        backoff_.record(store_.probe_write(now), now);
    }
}

void Router::run(const std::atomic<bool>& stop) {
    std::vector<zmq::pollitem_t> items = {
        {static_cast<void*>(sockets_->workers), 0, ZMQ_POLLIN, 0},
        {static_cast<void*>(sockets_->control), 0, ZMQ_POLLIN, 0},
    };
    if (commit_thread_) items.push_back({nullptr, commit_thread_->fd(), ZMQ_POLLIN, 0});
    if (worker_auth_) items.push_back({worker_auth_->socket().handle(), 0, ZMQ_POLLIN, 0});
    Millis next_sweep = util::now_ms();
    Millis next_flush = util::now_ms() + config_.router.flush_interval;
    Millis next_liveness = util::now_ms() + 1000;
    Millis next_purge = util::now_ms() + 60'000;
    Millis drain_until = 0;
    while (true) {
        Millis now = util::now_ms();
        if (lease_ && lease_->lost()) {
            lost_lease_ = true;
            NLOG(error, "",
                 "another router has taken over a partition this one held: stopping without "
                 "writing, active="
                     << active_.size() << " in_flight=" << workers_.in_flight());
            return;
        }
        if (stop.load() && drain_until == 0) {
            drain_until = now + std::min<Millis>(config_.router.lease, 10'000);
            NLOG(info, "", "stopping: waiting for in_flight=" << workers_.in_flight());
        }
        if (lease_ && !reassigned_ && lease_->assignments() != assignment_) {
            reassigned_ = true;
            if (drain_until == 0) drain_until = now + kReassignDrain;
            NLOG(info, "",
                 "partitions assigned to this router change ("
                     << partitions_.describe() << " of " << partitions_.count() << " to "
                     << lease_->assigned().describe()
                     << "): waiting for in_flight=" << workers_.in_flight());
        }
        if (drain_until && (workers_.in_flight() == 0 || now >= drain_until)) break;

        Millis wake = next_sweep;
        const Millis writable_at = std::max(now, backoff_.retry_at());
        // What waits for the commit under way is woken by its end (the fd).
        const Millis settled_at = log_.committing() ? now + 1000 : writable_at;
        if (log_.pending() || backoff_.failing())
            wake = std::min(wake, std::max(next_flush, settled_at));
        if (!timers_.empty()) wake = std::min(wake, timers_.next_at());
        if (sleepers_.next_at()) wake = std::min(wake, std::max(sleepers_.next_at(), settled_at));
        if (schedules_.next_at() && !drain_until)
            wake = std::min(wake, std::max(schedules_.next_at(), writable_at));
        // A blocked channel frees up (only dispatching looks again).
        if (rate_wake_ && !drain_until && !backoff_.failing()) wake = std::min(wake, rate_wake_);
        if (expander_.busy() && !drain_until)  // a fan-out's next step
            wake = std::min(wake, rollups_committing_ ? settled_at : writable_at);
        if (inbox_backlog_ && !drain_until) wake = std::min(wake, writable_at);
        if (sweep_requested_) wake = now;  // the rest of a sweep
        long timeout = static_cast<long>(std::clamp<Millis>(wake - now, 0, 1000));
        try {
            zmq::poll(items, std::chrono::milliseconds(timeout));
        } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) throw;
        }
        now = util::now_ms();
        try {
            round(now, drain_until, next_sweep, next_flush, next_liveness, next_purge);
        } catch (const store::StoreFailure& f) {
            // A read the store could not answer (its database server gone
            // away): what the round did not do is done by a later one, after
            // the pause a failed write waits (the next write tells when the
            // store works again).
            backoff_.record(store::to_error(f), now);
            next_sweep = std::max(next_sweep, backoff_.retry_at());
        }
    }
    flush_log(util::now_ms(), true);
    NLOG(info, "", "stopped: active=" << active_.size());
}

void Router::round(Millis now, Millis drain_until, Millis& next_sweep, Millis& next_flush,
                   Millis& next_liveness, Millis& next_purge) {
    settle_commit(now, false);
    if (worker_auth_) worker_auth_->answer();

    std::string identity, frame;
    bool delimiter = false;
    for (int i = 0; i < 10000 && Sockets::receive(sockets_->workers, identity, frame, delimiter);
         ++i)
        on_worker_frame(identity, frame, now);
    for (int i = 0; i < 1000 && Sockets::receive(sockets_->control, identity, frame, delimiter);
         ++i)
        on_control_frame(identity, frame, delimiter);

    if (scan_requested_ || now >= next_sweep) {
        scan_requested_ = false;
        expander_.scan(partitions_);
    }
    take_urgent(now);
    if (sweep_requested_ || now >= next_sweep) {
        sweep(kWholeStore, kRoundRows);
        next_sweep = now + config_.router.sweep_interval;
    }
    fire_timers(now);
    wake_sleepers(now);
    if (!drain_until && schedules_.next_at() && schedules_.next_at() <= now && backoff_.ready(now))
        fire_schedules(now);
    // Outcomes that cannot be recorded would be sent again after a restart;
    // and none is handed out once the lease may have passed to another router.
    if (!drain_until && !backoff_.failing() && (!lease_ || lease_->dispatching())) dispatch(now);
    // One step of expansion per round, so dispatching goes on between steps;
    // what it wrote is gated and queued as it is written (take_step).
    // Not while a commit writes the rollups' marks: a step's suppressions
    // are counted as it is written, in the batch after that one.
    if (!drain_until && expander_.busy() && backoff_.ready(now) && !rollups_committing_) {
        expander_.step(now);
        backoff_.record(expander_.last_write(), now);
    }
    if (now >= next_liveness) {
        drop_silent_workers(now);
        if (now >= next_purge) {
            gate_.purge(now);
            next_purge = now + 60'000;
        }
        next_liveness = now + 1000;
        if (presence_ && now >= next_beat_) {
            presence_->describe(self_description(now));
            next_beat_ = now + store::Presence::kBeat;
        }
    }
    if (backoff_.ready(now) && !log_.committing() &&
        (now >= next_flush || log_.pending() >= 2000 || backoff_.failing())) {
        flush_log(now, false, true);
        next_flush = now + config_.router.flush_interval;
    }
}

}  // namespace notify::router
