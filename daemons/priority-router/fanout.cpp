// fanout.cpp - one step at a time through a fan-out's targets; see fanout.hpp.
#include "fanout.hpp"

#include <algorithm>

#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::router {

namespace {

struct Cursor {
    std::size_t target = 0;
    std::string after;  // the last member id written of a group target
};

Cursor parse_cursor(const std::string& text) {
    Cursor c;
    auto colon = text.find(':');
    if (colon == std::string::npos) return c;
    try {
        c.target = static_cast<std::size_t>(std::stoul(text.substr(0, colon)));
    } catch (const std::exception&) {
        return Cursor{};
    }
    c.after = text.substr(colon + 1);
    return c;
}

}  // namespace

Expander::Expander(const Config& config, store::FanoutStore& store)
    : config_(config), store_(store) {}

void Expander::scan(const PartitionSet& serves) {
    for (auto& f : store_.load_expanding()) {
        if (known_.count(f.fanout.notification_id) || !serves.serves_key(f.fanout.notification_id))
            continue;
        known_.insert(f.fanout.notification_id);
        Work w;
        w.source = store::address_source(config_.channel_type(f.channel));
        w.fanout = std::move(f);
        NLOG(info, w.fanout.fanout.notification_id,
             "expanding targets=" << w.fanout.fanout.targets.size()
                                  << " recipients=" << w.fanout.fanout.total
                                  << " expanded=" << w.fanout.fanout.expanded);
        work_.push_back(std::move(w));
    }
}

void Expander::drop(const std::string& notification_id) {
    if (!known_.erase(notification_id)) return;
    work_.erase(std::remove_if(work_.begin(), work_.end(),
                               [&](const Work& w) {
                                   return w.fanout.fanout.notification_id == notification_id;
                               }),
                work_.end());
}

Delivery Expander::make(const Work& w, std::size_t index, Millis now) const {
    const store::Fanout& f = w.fanout.fanout;
    Delivery d;
    d.id = delivery_id_for(f.notification_id, static_cast<std::size_t>(f.expanded) + index);
    d.notification_id = f.notification_id;
    d.channel = w.fanout.channel;
    d.priority = w.fanout.priority;
    const bool scheduled = w.fanout.send_at > now;
    d.state = scheduled ? DeliveryState::scheduled : DeliveryState::queued;
    d.next_attempt_at = scheduled ? w.fanout.send_at : 0;
    d.expires_at = w.fanout.expires_at;
    d.created_at = now;
    d.updated_at = now;
    return d;
}

void Expander::add_user(Work& w, store::Recipient& r, store::ExpansionStep& step, Millis now) {
    // A user's deliveries (one per address) are written in one step, so the
    // user is the unit a restart skips.
    if (!w.first_time("u:" + r.user_id)) return;
    std::vector<Delivery>& out = step.deliveries;
    if (r.opt_outs.any()) step.opt_outs.emplace(r.user_id, std::move(r.opt_outs));
    auto one = [&](const std::string& address) {
        Delivery d = make(w, out.size(), now);
        d.user_id = r.user_id;
        d.locale = r.locale;
        d.recipient = address;
        return d;
    };
    if (r.addresses.empty()) {
        Delivery d = one(std::string());
        d.state = DeliveryState::suppressed;
        d.next_attempt_at = 0;
        d.last_error = "user '" + r.user_id + "' has no address for channel '" + d.channel + "'";
        out.push_back(std::move(d));
    }
    for (const auto& address : r.addresses) out.push_back(one(address));
}

void Expander::add_address(Work& w, const std::string& address, std::vector<Delivery>& out,
                           Millis now) {
    if (!w.first_time("a:" + address)) return;
    Delivery d = make(w, out.size(), now);
    d.recipient = address;
    out.push_back(std::move(d));
}

std::size_t Expander::step(Millis now) {
    if (work_.empty()) return 0;
    Work& w = work_.front();
    store::Fanout& f = w.fanout.fanout;
    if (!w.seen_loaded) {
        // After a restart mid-expansion: who already has a delivery.
        if (f.expanded > 0 && f.targets.size() > 1)
            for (auto& key : store_.delivered_to(f.notification_id)) w.seen.insert(std::move(key));
        w.seen_loaded = true;
    }

    const long batch = std::max(1L, config_.bulk.expand_batch);
    Cursor c = parse_cursor(f.cursor);
    store::ExpansionStep s;
    std::vector<Delivery>& out = s.deliveries;
    out.reserve(static_cast<std::size_t>(batch));
    long scanned = 0;
    while (c.target < f.targets.size() && scanned < batch) {
        const std::string& target = f.targets[c.target];
        if (util::starts_with(target, "group:")) {
            const int want = static_cast<int>(batch - scanned);
            auto rows = store_.members(target.substr(6), c.after, want, w.fanout.channel, w.source);
            scanned += static_cast<long>(rows.size());
            for (auto& r : rows) add_user(w, r, s, now);
            if (static_cast<int>(rows.size()) < want) {
                ++c.target;
                c.after.clear();
            } else {
                c.after = rows.back().user_id;
            }
            continue;
        }
        ++scanned;
        if (util::starts_with(target, "user:")) {
            const std::string id = target.substr(5);
            if (auto r = store_.user(id, w.fanout.channel, w.source)) {
                add_user(w, *r, s, now);
            } else if (w.first_time("u:" + id)) {
                // Removed from the directory after the send was accepted.
                Delivery d = make(w, out.size(), now);
                d.user_id = id;
                d.state = DeliveryState::suppressed;
                d.next_attempt_at = 0;
                d.last_error = "no user '" + id + "' in the directory";
                out.push_back(std::move(d));
            }
        } else {
            add_address(w, target, out, now);
        }
        ++c.target;
        c.after.clear();
    }

    s.notification_id = f.notification_id;
    s.done = c.target >= f.targets.size();
    s.cursor = s.done ? std::string() : std::to_string(c.target) + ":" + c.after;
    s.expanded = f.expanded + static_cast<std::int64_t>(out.size());
    s.at = now;
    auto st = store_.write_step(s);
    last_write_ = ok();
    if (!st) {
        if (st.error().code == "not_expanding") {
            NLOG(warning, f.notification_id, "fan-out is no longer expanding; leaving it");
            known_.erase(f.notification_id);
            work_.pop_front();
        } else {
            // Kept as it was: the same step is tried again later.
            for (const Delivery& d : s.deliveries)
                w.seen.erase(d.user_id.empty() ? "a:" + d.recipient : "u:" + d.user_id);
            last_write_ = st;
        }
        return 0;
    }
    if (written_) written_(s);
    const std::size_t written = s.deliveries.size();
    f.cursor = s.cursor;
    f.expanded = s.expanded;
    if (s.done) {
        NLOG(info, f.notification_id, "expanded deliveries=" << f.expanded);
        known_.erase(f.notification_id);
        work_.pop_front();
    } else if (work_.size() > 1) {
        // Take turns with the other fan-outs.
        work_.push_back(std::move(work_.front()));
        work_.pop_front();
    }
    return written;
}

}  // namespace notify::router
