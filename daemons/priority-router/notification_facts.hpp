// notification_facts.hpp - what the router needs of a notification beyond its
// deliveries, read from the store once and kept while its deliveries are
// active: its category and content digest (the preference gate), whether it
// is bulk (holds) and what reports count it by (rollups). Deliveries hold on to their facts; the
// cache forgets the oldest, one at a time, once it holds kMaxFacts notifications
// (util/bounded_map.hpp).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "model.hpp"
#include "store/fanout_store.hpp"
#include "store/rollup.hpp"
#include "util/bounded_map.hpp"

namespace notify::router {

struct NotificationFacts {
    std::string content_key;  // digest of what dedup compares
    // What reports count it by: its template, module, category and groups.
    store::RollupDims dims;
    bool bulk = false;   // waits for working hours to end at low priority (holds.hpp)
    Millis send_at = 0;  // when it was asked to go; 0: at once
    const std::string& category() const { return dims.category; }
};

using FactsRef = std::shared_ptr<const NotificationFacts>;

class NotificationFactsCache {
  public:
    explicit NotificationFactsCache(store::FanoutStore& store) : store_(store), facts_(kMaxFacts) {}
    // The facts of a notification; empty facts when it is not in the store.
    FactsRef get(const std::string& notification_id);
    // Reads the facts of the deliveries' notifications that it does not hold
    // yet in a few statements, for the get()s that follow (a round trip each
    // on a database across the network).
    void prefetch(const std::vector<Delivery>& deliveries);

    static constexpr std::size_t kMaxFacts = 50000;

  private:
    FactsRef put(const std::string& notification_id, const store::NotificationContent* c);

    store::FanoutStore& store_;
    util::BoundedMap<FactsRef> facts_;
};

}  // namespace notify::router
