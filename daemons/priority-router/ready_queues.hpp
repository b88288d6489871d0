// ready_queues.hpp - the deliveries that are ready to go, by priority and channel.
//
// High is served first. So that nothing starves, medium and low keep a share of
// the dispatches while they have work: each dispatch adds share_medium and
// share_low (percent) to their accounts, and a queue whose account reaches 100
// is served next and pays 100. With the defaults (10 and 5), a low delivery
// goes out at least once in every 20 dispatches however busy high is. An
// account never grows while its queue is empty, so an idle queue cannot save up
// a burst.
//
// Within a priority, the channel whose head has waited longest (lowest store
// sequence) goes first. The router asks for high only when a worker is down to the
// credit it keeps in reserve for high (router.reserve_high), so that a high
// delivery never waits behind a full house of lower ones. Entries are ids; whoever pops one checks
// it is still ready (a canceled delivery stays in its queue until popped).
//
// A channel whose providers are all at their rate limit is passed as `skip`: its
// deliveries stay where they are, in order, and the other channels are served.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model.hpp"

namespace notify::router {

struct ReadyItem {
    std::int64_t seq = 0;
    std::string delivery_id;
};

class ReadyQueues {
  public:
    ReadyQueues(int share_medium, int share_low);

    void push(Priority p, const std::string& channel, ReadyItem item);
    // Puts back an entry that was popped but could not go, at the head of its queue.
    void push_front(Priority p, const std::string& channel, ReadyItem item);
    // The next delivery for a worker that serves `channels` (empty: any), from no
    // channel in `skip`. With `high_only`, only high is served and the lower queues'
    // shares are left as they are.
    std::optional<ReadyItem> pop(const std::vector<std::string>& channels, bool high_only = false,
                                 const std::set<std::string>& skip = {});
    // The next entry of `channel` alone, high priority first, for a consumer of
    // its own (the router's inbox writer); the shares between priorities, which
    // are the workers', are left as they are.
    std::optional<ReadyItem> pop_channel(const std::string& channel);
    // The ids of the first `n` entries of `channel`'s queue of priority `p`, in
    // order, left where they are.
    std::vector<std::string> peek(Priority p, const std::string& channel, std::size_t n) const;
    // True when some priority holds an entry for `channel`.
    bool waiting(const std::string& channel) const;
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    std::size_t size(Priority p) const;

  private:
    using ChannelQueues = std::map<std::string, std::deque<ReadyItem>>;
    // The channel queue of priority p with the oldest head that the worker serves.
    std::deque<ReadyItem>* oldest(Priority p, const std::vector<std::string>& channels,
                                  const std::set<std::string>& skip);

    ChannelQueues queues_[kPriorityCount];
    std::size_t counts_[kPriorityCount] = {0, 0, 0};
    int share_[kPriorityCount];
    int account_[kPriorityCount] = {0, 0, 0};
    std::size_t size_ = 0;
};

}  // namespace notify::router
