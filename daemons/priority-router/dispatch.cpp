// dispatch.cpp - the router's side of the worker protocol: handing ready
// deliveries to workers with credit, and recording what they report.
#include <algorithm>
#include <optional>

#include "router.hpp"
#include "sockets.hpp"
#include "store/db.hpp"
#include "store/multi_row.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "worker_deaths.hpp"

namespace notify::router {

void Router::dispatch(Millis now) {
    // The contents read for the deliveries handed out share one snapshot,
    // taken at the first read (read_for_dispatch): a round whose jobs were
    // read ahead, or with no worker to take one, costs the store nothing.
    struct Snapshot {
        std::optional<store::ReadTransaction>& reads;
        ~Snapshot() { reads.reset(); }
    } snapshot{dispatch_reads_};
    update_blocked(now);
    deliver_to_inboxes(now);
    while (!ready_.empty()) {
        bool any = false;
        for (WorkerInfo* w : workers_.with_credit()) {
            const long capacity = w->credit + static_cast<long>(w->in_flight.size());
            const bool high_only = w->credit <= capacity * config_.router.reserve_high / 100;
            // The worker takes the first delivery that can go: one that ends,
            // waits or cannot go now (its channel is then skipped, or it is set
            // aside) does not end its turn, so each pass makes progress.
            Offer offer = Offer::not_sent;
            while (offer == Offer::not_sent) {
                std::optional<ReadyItem> item;
                // Skip entries that changed since they were queued (canceled, sent,
                // expired); channels at their rate limit or cap keep theirs.
                while ((item = ready_.pop(w->channels, high_only, blocked_))) {
                    auto it = active_.find(item->delivery_id);
                    if (it != active_.end() && it->second.state == DeliveryState::queued) break;
                }
                if (!item) break;
                Entry& e = active_.at(item->delivery_id);
                offer = dispatch_one(*w, item->delivery_id, e, now);
                if (offer == Offer::sent) {
                    workers_.served(*w);
                    if (limiter_.limited(e.provider)) update_blocked(now);
                }
            }
            // A worker found gone changes the pool: start the round again.
            any = any || offer != Offer::not_sent;
            if (offer == Offer::worker_gone || ready_.empty()) break;
        }
        if (!any) break;
    }
    // Set aside for a place at a provider: first in their queues again.
    for (auto it = set_aside_.rbegin(); it != set_aside_.rend(); ++it)
        ready_.push_front(std::get<0>(*it), std::get<1>(*it), std::get<2>(*it));
    set_aside_.clear();
    update_blocked(now);
}

void Router::read_for_dispatch() {
    if (!dispatch_reads_) dispatch_reads_.emplace(store_.handle());
}

namespace {
// Bytes of a job's content: what a job read ahead keeps in memory.
std::size_t content_bytes(const wire::Job& j) {
    return j.subject.size() + j.body.size() + j.html.size() + j.payload.size() + j.data_json.size();
}
}  // namespace

std::optional<wire::Job> Router::job_of(const std::string& id, const Entry& e, long credit) {
    if (auto it = jobs_ahead_.find(id); it != jobs_ahead_.end()) {
        std::optional<wire::Job> job = std::move(it->second);
        jobs_ahead_bytes_ -= content_bytes(*job);
        jobs_ahead_.erase(it);
        return job;
    }
    constexpr std::size_t kReadAhead = store::MultiRow::kMaxRows;  // one statement's
    // Kept ahead at most, of all queues together.
    constexpr std::size_t kMaxKept = 4 * kReadAhead;
    constexpr std::size_t kMaxKeptBytes = std::size_t{8} << 20;
    // Another queue's jobs read ahead stay for its next turn; those whose
    // delivery is no longer queued are dropped. While the bounds are
    // reached, nothing more is read ahead.
    for (auto it = jobs_ahead_.begin(); it != jobs_ahead_.end();) {
        auto a = active_.find(it->first);
        if (a != active_.end() && a->second.state == DeliveryState::queued) {
            ++it;
            continue;
        }
        jobs_ahead_bytes_ -= content_bytes(it->second);
        it = jobs_ahead_.erase(it);
    }
    std::vector<std::string> ids{id};
    if (jobs_ahead_.size() < kMaxKept && jobs_ahead_bytes_ < kMaxKeptBytes) {
        const std::size_t want =
            std::clamp<std::size_t>(static_cast<std::size_t>(std::max(credit, 1L)), 1, kReadAhead);
        for (auto& next : ready_.peek(e.priority, e.channel, 2 * want)) {
            if (ids.size() >= want) break;
            auto a = active_.find(next);
            if (a == active_.end() || a->second.state != DeliveryState::queued ||
                jobs_ahead_.count(next))
                continue;
            ids.push_back(std::move(next));
        }
        // Sizes one statement reads (store/multi_row.hpp): 1 to 8, or a multiple of 8.
        if (ids.size() > 8) ids.resize(ids.size() / 8 * 8);
    }
    std::optional<wire::Job> out;
    read_for_dispatch();
    for (wire::Job& job : store_.load_jobs(ids)) {
        if (job.delivery_id == id) {
            out = std::move(job);
        } else {
            jobs_ahead_bytes_ += content_bytes(job);
            jobs_ahead_.emplace(job.delivery_id, std::move(job));
        }
    }
    return out;
}

void Router::update_blocked(Millis now) {
    blocked_.clear();
    rate_wake_ = 0;
    auto check = [&](const std::string& channel) {
        if (!choice_.blocked(channel, now)) return;
        blocked_.insert(channel);
        if (!ready_.waiting(channel)) return;
        const Millis at = choice_.next_free(channel, now);
        if (at == 0) return;  // at its cap: the next answer frees a place
        rate_wake_ = rate_wake_ ? std::min(rate_wake_, at) : at;
    };
    // While every breaker is closed only the channels whose providers are all
    // rate limited or capped can be blocked.
    choice_.breakers().tick(now);
    if (choice_.breakers().none_blocking()) {
        for (const auto& channel : limited_channels_) check(channel);
    } else {
        for (const auto& [channel, _] : config_.channels) check(channel);
    }
    // Inbox channels are the router's own (deliver_to_inboxes): no worker pops them.
    blocked_.insert(inbox_channels_.begin(), inbox_channels_.end());
}

Router::Offer Router::dispatch_one(WorkerInfo& w, const std::string& id, Entry& e, Millis now) {
    if (e.expires_at && now >= e.expires_at) {
        transition(id, e, DeliveryState::expired, "expired",
                   "expired at " + util::format_rfc3339(e.expires_at) + " before it was sent", now);
        return Offer::not_sent;
    }
    const int attempt = e.attempts + 1;
    const ProviderPick pick =
        choice_.choose(e.channel, e.attempts == 0 ? std::string() : e.provider, e.tried, now);
    switch (pick.kind) {
        case ProviderPick::Kind::unconfigured:
            transition(id, e, DeliveryState::failed, "failed",
                       "channel '" + e.channel + "' is no longer configured", now);
            return Offer::not_sent;
        case ProviderPick::Kind::blocked:
            // No provider can take it now (another channel sharing one took the last
            // slot, a provider reached its cap, or a breaker's probe went out): back
            // to the head of its queue, the channel skipped for now.
            ready_.push_front(e.priority, e.channel, ReadyItem{e.seq, id});
            blocked_.insert(e.channel);
            return Offer::not_sent;
        case ProviderPick::Kind::held:
            // Its failover waits for an answer of its provider; the channel's
            // others go on. First in its queue again once this dispatch ends.
            set_aside_.emplace_back(e.priority, e.channel, ReadyItem{e.seq, id});
            return Offer::not_sent;
        case ProviderPick::Kind::wait:
            e.next_attempt_at = pick.at;
            timers_.add({pick.at, TimerKind::due, id, e.attempts});
            transition(id, e, DeliveryState::deferred, "waiting",
                       "failover to provider '" + pick.provider + "' waits for " +
                           (choice_.breakers().admits(pick.provider) ? "its rate limit"
                                                                     : "its breaker to half-open") +
                           "; next at " + util::format_rfc3339(pick.at),
                       now);
            return Offer::not_sent;
        case ProviderPick::Kind::chosen:
            break;
    }
    const std::string& provider = pick.provider;
    std::optional<wire::Job> job = job_of(id, e, w.credit);
    if (!job) {
        NLOG(error, e.notification_id, "delivery=" << id << " is not in the store; dropped");
        choice_.caps().forget(id);
        active_.erase(id);
        return Offer::not_sent;
    }
    // Content for its user, unsubscribe link: a delivery that cannot be rendered
    // for its user fails for good (trying again renders the same).
    if (auto made = personalizer_.personalize(*job, now); !made) {
        e.last_error = made.error().message;
        transition(id, e, DeliveryState::failed, "failed", made.error().message, now);
        return Offer::not_sent;
    }
    job->provider = provider;
    job->attempt = attempt;
    job->deadline = now + config_.router.lease;
    if (!Sockets::send_to(sockets_->workers, w.identity, wire::encode(*job))) {
        // The worker left: forget it; the delivery stays queued for another one.
        NLOG(warning, "", "worker=" << w.name << " is gone; dropping it");
        ready_.push(e.priority, e.channel, ReadyItem{e.seq, id});
        WorkerInfo gone = w;
        workers_.remove(gone.identity);
        worker_gone(gone, "is no longer connected", now);
        return Offer::worker_gone;
    }
    limiter_.try_take(provider, now);  // has capacity: choose() checked it
    choice_.caps().take(provider, id, attempt);
    choice_.breakers().dispatched(provider, {id, attempt}, job->deadline);
    metrics_.dispatched(provider);
    --w.credit;
    w.in_flight.insert(id);
    e.attempts = attempt;
    e.provider = provider;
    e.dispatched_at = now;
    e.worker = w.identity;
    e.size = static_cast<std::int64_t>(job->subject.size() + job->body.size() + job->html.size() +
                                       job->payload.size());
    timers_.add({job->deadline, TimerKind::lease, id, attempt});
    transition(id, e, DeliveryState::in_flight, "dispatched",
               "attempt=" + std::to_string(attempt) + " provider=" + provider + " worker=" + w.name,
               now);
    return Offer::sent;
}

void Router::on_worker_frame(const std::string& identity, const std::string& frame, Millis now) {
    wire::Frame decoded = wire::decode(frame);
    const std::string& type = decoded.type;
    WorkerInfo* w = workers_.find(identity);
    if (type == "ready") {
        const std::optional<wire::Ready>& ready = decoded.ready;
        if (!ready) return;
        bool known = w != nullptr;
        w = &workers_.add(identity, ready->worker, ready->channels, now);
        w->credit += std::max(0, ready->credit);
        if (!known) {
            if (ready->credit == 0) {
                // A heartbeat from a worker this router has not met: ask for its credit.
                Sockets::send_to(sockets_->workers, identity, wire::encode_reconnect());
            }
            NLOG(info, "", "worker=" << w->name << " joined credit=" << w->credit);
        }
        return;
    }
    if (type == "result") {
        const std::optional<wire::Result>& result = decoded.result;
        if (!result) return;
        if (!w) {
            w = &workers_.add(identity, "unknown", {}, now);
            Sockets::send_to(sockets_->workers, identity, wire::encode_reconnect());
        }
        w->last_seen = now;
        on_result(w, *result, now);
        return;
    }
    if (type == "bye" && w) {
        w->draining = true;
        w->credit = 0;
        w->last_seen = now;
        NLOG(info, "", "worker=" << w->name << " is draining in_flight=" << w->in_flight.size());
        return;
    }
    NLOG(warning, "", "ignored a malformed frame from a worker: " << log::clip(frame, 120));
}

namespace {

// Whether the worker refused the attempt itself (shutting down, a lease run
// out, an internal fault, a provider it cannot build): no vendor was asked.
bool worker_refused(const wire::Result& r) {
    for (const char* own : {"shutting_down", "lease", "internal", "curl:init", "unknown_provider",
                            "invalid_provider"})
        if (r.code == own) return true;
    return util::starts_with(r.code, "curlm:");
}

// Whether a failure tells of its provider's health: a vendor's answer or a
// connection failure does. The worker's own refusals and waits a vendor asks
// for one recipient (Retry-After: a per-number or per-chat limit) do not.
bool tells_health(const wire::Result& r) {
    if (r.outcome == wire::Outcome::permanent) return r.provider_fault;
    if (r.retry_after > 0) return false;
    return !worker_refused(r);
}

}  // namespace

void Router::on_result(WorkerInfo* w, const wire::Result& r, Millis now) {
    if (w && w->in_flight.erase(r.delivery_id)) ++w->credit;
    choice_.caps().release(r.delivery_id, r.attempt);
    auto it = active_.find(r.delivery_id);
    // Every answer tells of its provider's health, a late one too.
    const std::string& answered =
        !r.provider.empty() || it == active_.end() ? r.provider : it->second.provider;
    Breakers& breakers = choice_.breakers();
    const AttemptRef attempt{r.delivery_id, r.attempt};
    if (r.outcome == wire::Outcome::sent)
        breakers.succeeded(answered, attempt, now);
    else if (r.outcome == wire::Outcome::retryable && tells_health(r))
        breakers.failed(answered, attempt, now);
    else
        breakers.answered_neutral(answered, attempt);
    if (!answered.empty())
        metrics_.answered(answered, r.outcome,
                          r.outcome != wire::Outcome::sent && worker_refused(r) ? -1 : r.took);
    if (it == active_.end()) return;  // already final (a duplicate or a late answer)
    Entry& e = it->second;
    if (e.state == DeliveryState::in_flight && e.attempts == r.attempt)
        limiter_.answered(e.provider, e.dispatched_at, now, r.parts);
    std::string detail = "provider=" + r.provider;
    if (!r.code.empty()) detail += " code=" + r.code;
    if (!r.message.empty()) detail += " " + r.message;
    if (!r.detail.empty()) detail += " " + r.detail;
    // A success counts whatever attempt it answers, even one the router had given up
    // on (lease, restart): sending again would only duplicate it.
    if (r.outcome == wire::Outcome::sent) {
        if (!r.provider.empty()) e.provider = r.provider;
        std::string message = r.provider_message_id.empty()
                                  ? detail
                                  : detail + " message_id=" + r.provider_message_id;
        transition(r.delivery_id, e, DeliveryState::sent, "sent", message, now,
                   r.provider_message_id);
        return;
    }
    // A failure of an attempt the router gave up on (lease, restart) changes nothing:
    // the delivery is already waiting for, or making, its next attempt.
    if (e.attempts != r.attempt || e.state != DeliveryState::in_flight) return;
    std::string reason =
        r.code.empty() || r.message.empty() ? r.code + r.message : r.code + " " + r.message;
    if (r.outcome == wire::Outcome::permanent) {
        e.last_error = reason;
        // Permanent for this provider only (its account, credentials, a recipient it
        // cannot take): another provider of the channel may still send it.
        if (r.provider_fault && !e.cancel_requested &&
            fail_over(r.delivery_id, e, reason, now, true))
            return;
        if (r.address_gone) detail += forget_gone_address(r.delivery_id, r.gone_since, e);
        transition(r.delivery_id, e, DeliveryState::failed, "failed", detail, now);
        return;
    }
    retry_or_fail(r.delivery_id, e, reason, r.retry_after, now);
}

std::string Router::forget_gone_address(const std::string& id, Millis gone_since, const Entry& e) {
    settle_commit(util::now_ms(), true);  // a write of this thread's: not behind its own commit
    auto removed = directory_->forget_gone_address(id, gone_since);
    if (!removed) {
        NLOG(warning, e.notification_id,
             "delivery=" << id
                         << " the vendor says the address is gone, but it could not be "
                            "removed from the user's identities: "
                         << removed.error().message);
        return "";
    }
    if (!*removed)
        return gone_since > 0 ? "; the address is gone, but was registered again since: kept" : "";
    NLOG(info, e.notification_id,
         "delivery=" << id << " channel=" << e.channel
                     << " the vendor says the address is gone: removed from the user's identities");
    return "; the address is gone: removed from the user's identities";
}

bool Router::fail_over(const std::string& id, Entry& e, const std::string& reason, Millis now,
                       bool permanent) {
    if (!e.provider.empty() &&
        std::find(e.tried.begin(), e.tried.end(), e.provider) == e.tried.end())
        e.tried.push_back(e.provider);
    const std::string next = choice_.failover(e.channel, e.provider, e.tried, now, permanent);
    if (next.empty()) return false;
    RetryDecision d = retry_.immediately(e.attempts, now, e.accepted_at, reason);
    if (d.state == DeliveryState::failed) {
        transition(id, e, DeliveryState::failed, "failed", d.reason, now);
        return true;
    }
    e.next_attempt_at = d.next_attempt_at;
    transition(id, e, DeliveryState::queued, "retry",
               "attempt " + std::to_string(e.attempts) + " failed: " + reason +
                   "; failing over to provider '" + next + "'",
               now);
    ready_.push(e.priority, e.channel, ReadyItem{e.seq, id});
    return true;
}

void Router::retry_or_fail(const std::string& id, Entry& e, const std::string& reason,
                           Millis retry_after, Millis now) {
    e.last_error = reason;
    if (e.cancel_requested) {
        transition(id, e, DeliveryState::canceled, "canceled", "canceled by request", now);
        return;
    }
    if (e.expires_at && now >= e.expires_at) {
        transition(id, e, DeliveryState::expired, "expired",
                   "expired at " + util::format_rfc3339(e.expires_at) + "; last error: " + reason,
                   now);
        return;
    }
    // Another provider of the channel not tried since the last backoff takes the
    // retry at once, also when the failed one asked for a wait (Retry-After).
    if (fail_over(id, e, reason, now)) return;
    e.tried.clear();  // every provider had its turn: back off, then start again
    RetryDecision d = retry_.after_failure(e.attempts, now, e.accepted_at, retry_after, reason);
    if (d.state == DeliveryState::failed) {
        transition(id, e, DeliveryState::failed, "failed", d.reason, now);
        return;
    }
    e.next_attempt_at = d.next_attempt_at;
    timers_.add({d.next_attempt_at, TimerKind::due, id, e.attempts});
    transition(id, e, DeliveryState::deferred, "retry",
               "attempt " + std::to_string(e.attempts) + " failed: " + reason + "; next at " +
                   util::format_rfc3339(d.next_attempt_at),
               now);
}

void Router::drop_silent_workers(Millis now) {
    for (WorkerInfo& w : workers_.drop_silent(now - config_.router.worker_timeout)) {
        NLOG(warning, "",
             "worker=" << w.name << " went silent; requeueing in_flight=" << w.in_flight.size());
        worker_gone(w, "went silent", now);
    }
}

void Router::worker_gone(const WorkerInfo& w, const std::string& how, Millis now) {
    for (const auto& id : w.in_flight) {
        auto it = active_.find(id);
        // Only what this worker holds now (an id left from an attempt given up
        // on may be another worker's since).
        if (it == active_.end() || it->second.state != DeliveryState::in_flight ||
            it->second.worker != w.identity)
            continue;
        Entry& e = it->second;
        choice_.breakers().answered_neutral(e.provider, {id, e.attempts});
        choice_.caps().release(id, e.attempts);
        HeldVerdict v = after_worker_left(e.worker_deaths, !w.draining,
                                          config_.router.max_worker_deaths, w.name, how);
        if (v.state == DeliveryState::failed) {
            transition(id, e, DeliveryState::failed, v.event, v.detail, now);
            continue;
        }
        transition(id, e, DeliveryState::queued, v.event, v.detail, now);
        make_ready(id, e);
    }
}

}  // namespace notify::router
