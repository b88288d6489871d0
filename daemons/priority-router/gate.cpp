// gate.cpp - preferences, unsubscribes, dedup and frequency caps; see gate.hpp.
#include "gate.hpp"

#include <algorithm>

#include "util/crypto.hpp"
#include "util/log.hpp"

namespace notify::router {

namespace {

std::string describe(const store::Preference& p) {
    std::string out = "opted out of ";
    out += p.category.empty() ? "every category" : "category '" + p.category + "'";
    out += p.channel.empty() ? " on every channel" : " on channel '" + p.channel + "'";
    return out;
}

}  // namespace

Gate::Gate(const Config& config, store::FanoutStore& store, store::DirectoryStore& directory,
           NotificationFactsCache& facts)
    : config_(config), store_(store), directory_(directory), facts_(facts) {
    longest_ = std::max(config.preferences.dedup_window, config.preferences.frequency_cap.period);
    for (const auto& [name, ch] : config.channels)
        if (ch.frequency_cap.count) longest_ = std::max(longest_, ch.frequency_cap.period);
    for (const auto& [category, _] : config.recipient_limits)
        longest_ = std::max(longest_, longest_limit(category));
}

Millis Gate::longest_limit(const std::string& category) const {
    Millis longest = 0;
    for (const FrequencyCap& cap : config_.recipient_limits_of(category))
        longest = std::max(longest, cap.period);
    return longest;
}

std::string Gate::limit_key(const Delivery& d, const std::string& category) {
    return category + '\n' + (d.user_id.empty() ? "a:" + d.recipient : "u:" + d.user_id);
}

namespace {

void insert_in_order(std::deque<Millis>& times, Millis at) {
    times.insert(std::upper_bound(times.begin(), times.end(), at), at);
}

}  // namespace

std::string Gate::cap_key(const Delivery& d) {
    return (d.user_id.empty() ? "a:" + d.recipient : "u:" + d.user_id) + '\n' + d.channel;
}

std::string Gate::dedup_key(const Delivery& d, const NotificationFacts& f) {
    const std::string& who = d.recipient.empty() ? d.user_id : d.recipient;
    return who + '\n' + d.channel + '\n' + f.content_key;
}

bool Gate::counted_already(const std::string& key, const Delivery& d) const {
    if (d.user_id.empty()) return false;
    auto it = last_counted_.find(key);
    return it != last_counted_.end() && it->second == d.notification_id;
}

void Gate::count_once(std::unordered_map<std::string, std::deque<Millis>>& counters,
                      const std::string& key, const Delivery& d) {
    if (counted_already(key, d)) return;
    insert_in_order(counters[key], d.created_at);
    if (!d.user_id.empty()) last_counted_[key] = d.notification_id;
}

void Gate::count(const Delivery& d, const NotificationFacts& f) {
    const FrequencyCap& cap = config_.frequency_cap(d.channel);
    if (cap.count > 0) count_once(admitted_, cap_key(d), d);
    if (!config_.recipient_limits_of(f.category()).empty())
        count_once(limited_, limit_key(d, f.category()), d);
    if (config_.preferences.dedup_window > 0) {
        Sent& s = recent_[dedup_key(d, f)];
        if (d.created_at >= s.at) s = Sent{d.id, d.created_at};
    }
}

void Gate::rebuild(std::int64_t gated_seq, Millis now, const PartitionSet& serves) {
    admitted_.clear();
    recent_.clear();
    limited_.clear();
    last_counted_.clear();
    if (longest_ <= 0) return;
    std::size_t n = 0;
    for (const auto& r : store_.recent(now - longest_, gated_seq)) {
        Delivery d;
        d.id = r.id;
        d.notification_id = r.notification_id;
        d.channel = r.channel;
        d.recipient = r.recipient;
        d.user_id = r.user_id;
        d.created_at = r.created_at;
        if (!serves.serves(d)) continue;
        count(d, *facts_.get(d.notification_id));
        ++n;
    }
    NLOG(
        info, "",
        "gate counters rebuilt: deliveries=" << n << " window=" << util::format_duration(longest_));
}

std::optional<std::string> Gate::opted_out(const store::UserOptOuts& o, const std::string& category,
                                           const std::string& channel) const {
    if (o.unsubscribed_at) return std::string("unsubscribed");
    // The most specific preference decides, an opt-in as much as an opt-out.
    const std::pair<const std::string*, const std::string*> order[] = {
        {&category, &channel}, {&category, nullptr}, {nullptr, &channel}, {nullptr, nullptr}};
    for (auto [cat, ch] : order) {
        const std::string want_cat = cat ? *cat : std::string();
        const std::string want_ch = ch ? *ch : std::string();
        if ((cat && cat->empty()) || (ch && ch->empty())) continue;  // same as a broader one
        for (const auto& p : o.preferences)
            if (p.category == want_cat && p.channel == want_ch)
                return p.opted_out ? std::optional<std::string>(describe(p)) : std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string> Gate::check(const Delivery& d, Millis now, const KnownOptOuts* known) {
    const FactsRef facts = facts_.get(d.notification_id);
    const NotificationFacts& f = *facts;
    const bool mandatory = config_.is_mandatory(f.category());
    if (!mandatory) {
        std::string user_id = d.user_id;
        if (user_id.empty() && !d.recipient.empty()) {
            if (store_.address_unsubscribed(d.channel, d.recipient, f.category()))
                return std::string("unsubscribed");
            if (auto owner = directory_.find_user_by_address(d.channel, d.recipient))
                user_id = *owner;
        }
        if (known && !d.user_id.empty()) {
            auto it = known->find(d.user_id);
            if (it != known->end())
                if (auto reason = opted_out(it->second, f.category(), d.channel)) return reason;
        } else if (!user_id.empty()) {
            if (auto o = store_.opt_outs(user_id))
                if (auto reason = opted_out(*o, f.category(), d.channel)) return reason;
        }
    }
    const Millis window = config_.preferences.dedup_window;
    if (window > 0) {
        auto it = recent_.find(dedup_key(d, f));
        if (it != recent_.end() && it->second.at > now - window && it->second.delivery_id != d.id)
            return "duplicate of " + it->second.delivery_id + " within " +
                   util::format_duration(window);
    }
    const FrequencyCap& cap = config_.frequency_cap(d.channel);
    if (!mandatory && cap.count > 0 && !counted_already(cap_key(d), d)) {
        auto it = admitted_.find(cap_key(d));
        if (it != admitted_.end()) {
            auto& times = it->second;
            while (!times.empty() && times.front() <= now - cap.period) times.pop_front();
            if (static_cast<long>(times.size()) >= cap.count)
                return "frequency cap " + frequency_cap_text(cap) + " reached on channel '" +
                       d.channel + "'";
        }
    }
    const auto& limits = config_.recipient_limits_of(f.category());
    if (!limits.empty() && !counted_already(limit_key(d, f.category()), d)) {
        auto it = limited_.find(limit_key(d, f.category()));
        if (it != limited_.end())
            for (const FrequencyCap& limit : limits) {
                const auto& times = it->second;
                const auto within =
                    times.end() - std::upper_bound(times.begin(), times.end(), now - limit.period);
                if (within >= limit.count)
                    return "recipient limit " + frequency_cap_text(limit) +
                           " reached for category '" + f.category() + "'";
            }
    }
    count(d, f);
    return std::nullopt;
}

void Gate::purge(Millis now) {
    const Millis window = config_.preferences.dedup_window;
    for (auto it = recent_.begin(); it != recent_.end();)
        it = it->second.at <= now - window ? recent_.erase(it) : std::next(it);
    for (auto it = admitted_.begin(); it != admitted_.end();) {
        const std::size_t newline = it->first.rfind('\n');
        const Millis period = config_.frequency_cap(it->first.substr(newline + 1)).period;
        auto& times = it->second;
        while (!times.empty() && times.front() <= now - period) times.pop_front();
        it = times.empty() ? admitted_.erase(it) : std::next(it);
    }
    for (auto it = limited_.begin(); it != limited_.end();) {
        const Millis period = longest_limit(it->first.substr(0, it->first.find('\n')));
        auto& times = it->second;
        while (!times.empty() && times.front() <= now - period) times.pop_front();
        it = times.empty() ? limited_.erase(it) : std::next(it);
    }
    for (auto it = last_counted_.begin(); it != last_counted_.end();)
        it = admitted_.count(it->first) || limited_.count(it->first) ? std::next(it)
                                                                     : last_counted_.erase(it);
}

}  // namespace notify::router
