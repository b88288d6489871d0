// sleepers.cpp - see sleepers.hpp.
#include "sleepers.hpp"

#include <algorithm>

namespace notify::router {

std::optional<Millis> Sleepers::wake_at(const Delivery& d, Millis now) {
    if (d.state != DeliveryState::scheduled) return std::nullopt;
    const Millis first =
        d.expires_at ? std::min(d.next_attempt_at, d.expires_at) : d.next_attempt_at;
    if (first - now <= kAfter) return std::nullopt;
    return first - kLead;
}

void Sleepers::add(Millis wake_at, std::int64_t seq, std::size_t channel) {
    heap_.push({wake_at, seq});
    if (by_channel_.size() <= channel) by_channel_.resize(channel + 1);
    ++by_channel_[channel];
}

std::vector<std::int64_t> Sleepers::take_due(Millis now, std::size_t limit) {
    std::vector<std::int64_t> out;
    while (!heap_.empty() && heap_.top().at <= now && out.size() < limit) {
        out.push_back(heap_.top().seq);
        heap_.pop();
    }
    return out;
}

void Sleepers::woke(std::int64_t seq, std::size_t channel) {
    if (forgotten_.erase(seq)) return;
    if (channel < by_channel_.size() && by_channel_[channel] > 0) --by_channel_[channel];
}

void Sleepers::forget(std::int64_t seq, std::size_t channel) {
    if (!forgotten_.insert(seq).second) return;
    if (channel < by_channel_.size() && by_channel_[channel] > 0) --by_channel_[channel];
}

}  // namespace notify::router
