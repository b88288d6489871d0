// rollups.cpp - the router's counting for reports; see rollups.hpp.
#include "rollups.hpp"

#include "store/db.hpp"
#include "util/log.hpp"
#include "util/time.hpp"

namespace notify::router {

namespace {

store::RollupFold fold_of(const std::string& channel, Priority priority,
                          const NotificationFacts& facts) {
    store::RollupFold f = store::fold_of(facts.dims);
    f.channel = channel;
    f.priority = priority;
    return f;
}

}  // namespace

Rollups::Rollups(store::Store& store, Millis write_interval)
    : db_(store), store_(store), write_interval_(write_interval) {}

Status Rollups::start(std::int64_t up_to_seq) {
    if (counting_ == Counting::none) return ok();
    return store::in_transaction(db_.handle(), [&] {
        const bool fresh = !store_.has_marks();
        store::RollupMarks from = store_.marks();
        store::RollupMarks to = store_.latest();
        if (counting_ == Counting::from_store) up_to_seq = to.delivery_seq;
        to.delivery_seq =
            fresh ? up_to_seq : std::max(from.delivery_seq, std::min(to.delivery_seq, up_to_seq));
        to.generation = from.generation;
        if (fresh) {
            if (up_to_seq > 0)
                NLOG(info, "",
                     "reports count from now on; 'notifyctl report --rebuild' counts what came "
                     "before");
        } else {
            store_.replay(from, to, batch_, [&](store::RollupBatch& b) {
                store_.write(b, from.generation);
                b.clear();
            });
            store_.write(batch_, from.generation);
        }
        store_.write_marks(to);
        batch_.clear();
        delivery_seq_ = to.delivery_seq;
        generation_ = to.generation;
        next_write_ = util::now_ms() + write_interval_;
        if (!fresh && (to.delivery_seq > from.delivery_seq || to.event_seq > from.event_seq))
            NLOG(info, "",
                 "reports: counted what the last router had not written: deliveries="
                     << to.delivery_seq - from.delivery_seq << " events_after=" << from.event_seq);
        return ok();
    });
}

void Rollups::accepted(const Delivery& d, const NotificationFacts& facts) {
    if (counting_ != Counting::as_it_goes || d.seq <= delivery_seq_) return;
    delivery_seq_ = d.seq;
    store::RollupFold f = fold_of(d.channel, d.priority, facts);
    f.at = d.created_at;
    f.status = "accepted";
    batch_.add(f);
}

void Rollups::logged(const store::Transition& t, const std::string& channel, Priority priority,
                     const NotificationFacts& facts, Millis accepted_at) {
    if (counting_ != Counting::as_it_goes || !store::is_report_status(t.event_type) ||
        t.event_type == "accepted")
        return;
    store::RollupFold f = fold_of(channel, priority, facts);
    f.at = t.at;
    f.status = t.event_type;
    f.provider = t.provider;
    f.reason = t.reason;
    if (t.event_type == "sent") {
        f.size = t.size;
        f.latency = t.at - accepted_at;
    }
    batch_.add(f);
}

bool Rollups::due(Millis now) const {
    switch (counting_) {
        case Counting::none:
            return false;
        case Counting::from_store:
            return now >= next_write_;
        case Counting::as_it_goes:
            break;
    }
    return (!batch_.empty() || !unwritten_.empty() || rebuilt_) && now >= next_write_;
}

std::function<void()> Rollups::tail_writer() {
    batch_.clear();  // the counts per second stay: a second read in two parts counts whole
    tail_stale_ = false;
    store::RollupMarks to;
    try {
        store::ReadTransaction snapshot(db_.handle());
        tail_from_ = store_.marks();
        to = store_.latest();
        to.generation = tail_from_.generation;
        tail_more_ = to.delivery_seq - tail_from_.delivery_seq > kTailRows ||
                     to.event_seq - tail_from_.event_seq > kTailRows;
        to.delivery_seq = std::max(tail_from_.delivery_seq,
                                   std::min(to.delivery_seq, tail_from_.delivery_seq + kTailRows));
        to.event_seq = std::max(tail_from_.event_seq,
                                std::min(to.event_seq, tail_from_.event_seq + kTailRows));
        // Every row up to `to` is committed already: what is read twice is the same.
        store_.replay(tail_from_, to, batch_, {});
    } catch (const store::StoreFailure& f) {
        // Read again from the same marks next time: what this read counted
        // per second goes (written() forgets it).
        NLOG(warning, "", "reports: the store could not be read: " << f.message);
        tail_stale_ = true;
        tail_more_ = false;  // tried again after the interval
        return {};
    }
    pending_marks_ = to;
    return [this] {
        const store::RollupMarks now = store_.marks();
        tail_stale_ = now.delivery_seq != tail_from_.delivery_seq ||
                      now.event_seq != tail_from_.event_seq ||
                      now.generation != tail_from_.generation;
        if (tail_stale_) return;  // counted meanwhile (a rebuild): counted again from those marks
        store_.write(batch_, pending_marks_.generation);
        store_.write_marks(pending_marks_);
    };
}

std::function<void()> Rollups::writer() {
    if (counting_ == Counting::from_store) return tail_writer();
    return [this] {
        store::RollupMarks stored = store_.marks();
        store::RollupMarks latest = store_.latest();
        if (stored.generation != generation_) {
            // Rebuilt under us: what we counted may be in the new rows already.
            NLOG(info, "", "reports were rebuilt; counting again from their marks");
            batch_.reset();
            unwritten_.clear();
            store_.replay(stored, latest, batch_, [&](store::RollupBatch& b) {
                store_.write(b, stored.generation);
                b.clear();
            });
            pending_marks_ = {std::max(latest.delivery_seq, stored.delivery_seq), latest.event_seq,
                              stored.generation};
        } else {
            pending_marks_ = {delivery_seq_, latest.event_seq, generation_};
        }
        store_.write(unwritten_, pending_marks_.generation);
        store_.write(batch_, pending_marks_.generation);
        store_.write_marks(pending_marks_);
    };
}

void Rollups::written(bool committed, Millis now) {
    if (counting_ == Counting::from_store) {
        // What was not written is read again from the same marks: its
        // seconds must not count twice.
        if (committed && !tail_stale_)
            batch_.clear();
        else
            batch_.reset();
        next_write_ = committed && tail_more_ ? now : now + write_interval_;
        return;
    }
    if (!committed) return;
    batch_.clear();
    unwritten_.clear();
    rebuilt_ = false;
    delivery_seq_ = std::max(delivery_seq_, pending_marks_.delivery_seq);
    generation_ = pending_marks_.generation;
    next_write_ = now + write_interval_;
}

std::function<void()> Rollups::background_writer(store::RollupStore& on) {
    store::pack(batch_, unwritten_);
    batch_.clear();
    return [this, &on, marks = store::RollupMarks{delivery_seq_, 0, generation_}] {
        const store::RollupMarks stored = on.marks();
        if (stored.generation != marks.generation) {
            found_rebuilt_ = true;
            return;
        }
        pending_marks_ = {marks.delivery_seq, on.latest().event_seq, marks.generation};
        on.write(unwritten_, marks.generation);
        on.write_marks(pending_marks_);
    };
}

void Rollups::background_written(bool committed, Millis now) {
    if (found_rebuilt_) {
        found_rebuilt_ = false;
        rebuilt_ = true;
    }
    if (!committed || rebuilt_) return;  // written again with the next
    unwritten_.clear();
    next_write_ = now + write_interval_;
}

}  // namespace notify::router
