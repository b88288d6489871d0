// gate.hpp - the preference gate: each delivery is checked once, when the router
// first sees it, and is suppressed by the first rule that applies:
//   1. its user is unsubscribed from everything, or its raw address is
//      unsubscribed from every category or the notification's: "unsubscribed";
//   2. a preference of its user opts out, the most specific of (category,
//      channel), (category, any), (any, channel), (any, any) deciding:
//      "opted out of category 'c' on channel 'ch'";
//      (a raw address that belongs to a user counts as that user for 1 and 2)
//   3. the same content (template and data, else subject, body and html) went to
//      the same recipient on the same channel within preferences.dedup_window:
//      "duplicate of ID within 10m";
//   4. the user (or raw address) already had the channel's frequency cap of
//      deliveries within its period: "frequency cap 5/1h reached on channel 'sms'".
//   5. the recipient (its user, else its address) already had one of its
//      category's recipient limits of deliveries on any channel within the
//      limit's period: "recipient limit 5/1h reached for category 'one-time-code'".
// 4 and 5 count a notification once per user: its deliveries to the user's
// other addresses on the channel (another device) pass or fail with the first.
// Mandatory categories (preferences.mandatory_categories) skip 1, 2 and 4; 5
// is what keeps them from flooding anyone.
//
// Deliveries are checked in store order, with one exception: a high-priority
// delivery ingest names in its nudge is checked when the router takes it in,
// ahead of older ones it has not read yet (router.hpp, take_urgent).
// The counters for 3, 4 and 5 are kept in memory; on start they are rebuilt from
// the deliveries the gate had checked (seq up to its mark, and any
// attempted) that were created within the longest window and not suppressed
// or canceled.
//
// Reads: preferences.*, channels.NAME.frequency_cap, recipient_limits.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "config.hpp"
#include "model.hpp"
#include "notification_facts.hpp"
#include "partitions.hpp"
#include "store/directory_store.hpp"
#include "store/fanout_store.hpp"

namespace notify::router {

class Gate {
  public:
    Gate(const Config& config, store::FanoutStore& store, store::DirectoryStore& directory,
         NotificationFactsCache& facts);
    // Counts what was admitted before: deliveries with seq <= `gated_seq`,
    // of the partitions the router serves.
    void rebuild(std::int64_t gated_seq, Millis now, const PartitionSet& serves);
    // The opt-outs of users read already (a fan-out step's): those with any,
    // by user id; a user not in it has none.
    using KnownOptOuts = std::unordered_map<std::string, store::UserOptOuts>;
    // The reason to suppress `d`, or nullopt when it passes (and is counted).
    // With `known`, the opt-outs of `d`'s user are taken from it, not read.
    std::optional<std::string> check(const Delivery& d, Millis now,
                                     const KnownOptOuts* known = nullptr);
    // Forgets what has left every window.
    void purge(Millis now);
    // The longest window counted (dedup or any cap), 0 when none.
    Millis longest_window() const { return longest_; }

  private:
    struct Sent {
        std::string delivery_id;
        Millis at = 0;
    };
    std::optional<std::string> opted_out(const store::UserOptOuts& o, const std::string& category,
                                         const std::string& channel) const;
    void count(const Delivery& d, const NotificationFacts& facts);
    // Whether `d`'s notification was counted under `key` for `d`'s user (a
    // delivery to another of the user's addresses).
    bool counted_already(const std::string& key, const Delivery& d) const;
    void count_once(std::unordered_map<std::string, std::deque<Millis>>& counters,
                    const std::string& key, const Delivery& d);
    static std::string cap_key(const Delivery& d);
    // The category, then who: a user, else an address.
    static std::string limit_key(const Delivery& d, const std::string& category);
    // The longest period of the recipient limits of `category`, 0 when none.
    Millis longest_limit(const std::string& category) const;
    static std::string dedup_key(const Delivery& d, const NotificationFacts& facts);

    const Config& config_;
    store::FanoutStore& store_;
    store::DirectoryStore& directory_;
    NotificationFactsCache& facts_;
    Millis longest_ = 0;
    std::unordered_map<std::string, std::deque<Millis>> admitted_;  // cap key -> times
    std::unordered_map<std::string, Sent> recent_;                  // dedup key -> last
    std::unordered_map<std::string, std::deque<Millis>> limited_;   // limit key -> times
    // cap or limit key -> the notification last counted under it for a user
    std::unordered_map<std::string, std::string> last_counted_;
};

}  // namespace notify::router
