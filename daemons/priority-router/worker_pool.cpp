#include "worker_pool.hpp"

#include <algorithm>

namespace notify::router {

WorkerInfo* WorkerPool::find(const std::string& identity) {
    auto it = workers_.find(identity);
    return it == workers_.end() ? nullptr : &it->second;
}

WorkerInfo& WorkerPool::add(const std::string& identity, const std::string& name,
                            std::vector<std::string> channels, Millis now) {
    auto [it, inserted] = workers_.try_emplace(identity);
    WorkerInfo& w = it->second;
    if (inserted) {
        w.identity = identity;
        order_.push_back(identity);
    }
    w.name = name;
    w.channels = std::move(channels);
    w.last_seen = now;
    return w;
}

std::vector<WorkerInfo*> WorkerPool::with_credit() {
    std::vector<WorkerInfo*> out;
    const std::size_t n = order_.size();
    for (std::size_t i = 0; i < n; ++i) {
        WorkerInfo& w = workers_.at(order_[(next_ + i) % n]);
        if (w.credit > 0 && !w.draining) out.push_back(&w);
    }
    return out;
}

void WorkerPool::served(const WorkerInfo& w) {
    auto it = std::find(order_.begin(), order_.end(), w.identity);
    if (it != order_.end())
        next_ = static_cast<std::size_t>(it - order_.begin() + 1) % order_.size();
}

std::vector<WorkerInfo> WorkerPool::drop_silent(Millis deadline) {
    std::vector<WorkerInfo> gone;
    for (const auto& id : std::vector<std::string>(order_)) {
        if (workers_.at(id).last_seen < deadline) {
            gone.push_back(std::move(workers_.at(id)));
            remove(id);
        }
    }
    return gone;
}

void WorkerPool::remove(const std::string& identity) {
    workers_.erase(identity);
    order_.erase(std::remove(order_.begin(), order_.end(), identity), order_.end());
    next_ = order_.empty() ? 0 : next_ % order_.size();
}

std::size_t WorkerPool::in_flight() const {
    std::size_t n = 0;
    for (const auto& [_, w] : workers_) n += w.in_flight.size();
    return n;
}

}  // namespace notify::router
