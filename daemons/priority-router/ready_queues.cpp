#include "ready_queues.hpp"

#include <algorithm>

namespace notify::router {

ReadyQueues::ReadyQueues(int share_medium, int share_low) : share_{0, share_medium, share_low} {}

void ReadyQueues::push(Priority p, const std::string& channel, ReadyItem item) {
    queues_[static_cast<int>(p)][channel].push_back(std::move(item));
    ++counts_[static_cast<int>(p)];
    ++size_;
}

void ReadyQueues::push_front(Priority p, const std::string& channel, ReadyItem item) {
    queues_[static_cast<int>(p)][channel].push_front(std::move(item));
    ++counts_[static_cast<int>(p)];
    ++size_;
}

std::size_t ReadyQueues::size(Priority p) const {
    return counts_[static_cast<int>(p)];
}

bool ReadyQueues::waiting(const std::string& channel) const {
    for (const auto& by_channel : queues_) {
        auto it = by_channel.find(channel);
        if (it != by_channel.end() && !it->second.empty()) return true;
    }
    return false;
}

std::deque<ReadyItem>* ReadyQueues::oldest(Priority p, const std::vector<std::string>& channels,
                                           const std::set<std::string>& skip) {
    std::deque<ReadyItem>* best = nullptr;
    for (auto& [channel, q] : queues_[static_cast<int>(p)]) {
        if (q.empty() || skip.count(channel)) continue;
        if (!channels.empty() &&
            std::find(channels.begin(), channels.end(), channel) == channels.end())
            continue;
        if (!best || q.front().seq < best->front().seq) best = &q;
    }
    return best;
}

std::vector<std::string> ReadyQueues::peek(Priority p, const std::string& channel,
                                           std::size_t n) const {
    std::vector<std::string> out;
    const auto& queues = queues_[static_cast<int>(p)];
    auto it = queues.find(channel);
    if (it == queues.end()) return out;
    for (const ReadyItem& item : it->second) {
        if (out.size() >= n) break;
        out.push_back(item.delivery_id);
    }
    return out;
}

std::optional<ReadyItem> ReadyQueues::pop_channel(const std::string& channel) {
    for (int p = 0; p < kPriorityCount; ++p) {
        auto it = queues_[p].find(channel);
        if (it == queues_[p].end() || it->second.empty()) continue;
        ReadyItem item = std::move(it->second.front());
        it->second.pop_front();
        --counts_[p];
        --size_;
        return item;
    }
    return std::nullopt;
}

std::optional<ReadyItem> ReadyQueues::pop(const std::vector<std::string>& channels, bool high_only,
                                          const std::set<std::string>& skip) {
    if (high_only) {
        std::deque<ReadyItem>* q = counts_[0] ? oldest(Priority::high, channels, skip) : nullptr;
        if (!q) return std::nullopt;
        ReadyItem item = std::move(q->front());
        q->pop_front();
        --counts_[0];
        --size_;
        return item;
    }
    std::deque<ReadyItem>* found[kPriorityCount];
    for (int p = 0; p < kPriorityCount; ++p)
        found[p] = counts_[p] ? oldest(static_cast<Priority>(p), channels, skip) : nullptr;

    // Every dispatch pays each waiting lower queue its share; an empty queue's account
    // is reset. A queue whose account is full is served and pays 100; the lowest first.
    for (int p = 1; p < kPriorityCount; ++p)
        account_[p] = found[p] ? std::min(account_[p] + share_[p], 200) : 0;
    int pick = -1;
    for (int p = kPriorityCount - 1; p > 0 && pick < 0; --p)
        if (found[p] && account_[p] >= 100) pick = p;
    for (int p = 0; p < kPriorityCount && pick < 0; ++p)
        if (found[p]) pick = p;
    if (pick < 0) return std::nullopt;
    if (pick > 0) account_[pick] = std::max(0, account_[pick] - 100);

    ReadyItem item = std::move(found[pick]->front());
    found[pick]->pop_front();
    --counts_[pick];
    --size_;
    return item;
}

}  // namespace notify::router
