// fanout_store.hpp - the router's own reads and writes of the store for sends
// to users and groups: expanding fan-outs into deliveries step by step,
// approving, rejecting or canceling held ones, and what the preference gate reads (users'
// opt-outs, unsubscribed addresses, recent deliveries) and writes (its
// high-water mark, committed with the transitions it belongs to: the
// setting "router.gated_seq", or, for a router holding partitions
// (store/router_leases.hpp), the mark of each one it holds).
//
// One expansion step is one transaction: its deliveries, an "accepted" event for
// each (and "suppressed" for those written suppressed), and the fan-out's cursor,
// count and state. A router that stops between steps resumes at the cursor.
// Like Store, not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model.hpp"
#include "partitions.hpp"
#include "store/directory_store.hpp"
#include "store/fanout.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace notify::store {

class Stmt;

// Where a user's address for a channel comes from when no identity is set.
enum class AddressSource { none, email, phone, user_id };

// A fan-out with what expansion needs of its notification.
struct ExpandingFanout {
    Fanout fanout;
    std::string channel;
    Priority priority = Priority::medium;
    Millis send_at = 0;
    Millis expires_at = 0;
};

// What the gate reads of a user: global unsubscribe and preference rows.
struct UserOptOuts {
    Millis unsubscribed_at = 0;
    std::vector<Preference> preferences;
    bool any() const { return unsubscribed_at != 0 || !preferences.empty(); }
};

// A user found for a step: its locale, its addresses for the channel (a
// device each; none when it has none there) and its opt-outs, read with it.
struct Recipient {
    std::string user_id;
    std::string locale;
    std::vector<std::string> addresses;
    UserOptOuts opt_outs;
};

// One step of a fan-out, written in one transaction.
struct ExpansionStep {
    std::string notification_id;
    std::vector<Delivery> deliveries;  // suppressed ones carry their reason in last_error
    // The opt-outs of the step's users that have any, read with them (the
    // others have none), so the gate need not read them again.
    std::unordered_map<std::string, UserOptOuts> opt_outs;
    std::string cursor;         // where the next step starts
    std::int64_t expanded = 0;  // deliveries written in all, after this step
    bool done = false;          // every target is expanded: state "done", event "expanded"
    Millis at = 0;
    // Set by write_step: each delivery's seq, and the highest seq of the
    // deliveries table before the step (no delivery lies between the two).
    std::int64_t seq_before = 0;
};

// A recent delivery, for the gate's counters.
struct RecentDelivery {
    std::int64_t seq = 0;
    std::string id;
    std::string notification_id;
    std::string channel;
    std::string recipient;
    std::string user_id;
    Millis created_at = 0;
};

// What the router reads of a notification: its category, what makes two
// notifications "the same content" for dedup, and what reports count it by.
struct NotificationContent {
    std::string category;
    std::string template_name;
    std::string data_json;
    std::string subject;
    std::string body;
    std::string html;
    std::string module;
    std::string groups;  // the groups among its recipients (store::report_groups)
    bool bulk = false;
    Millis send_at = 0;
};

constexpr const char* kGatedSeqSetting = "router.gated_seq";

// Whose the gate's mark is: the partitions `serves` of those `holder` (a
// router's cluster_members id, "" for a router without a lease) holds.
// The store's setting is the mark of every partition: it is written only by
// a router serving every one.
struct GateMarkScope {
    std::string holder;
    PartitionSet serves = PartitionSet::all(1);
};

class FanoutStore {
  public:
    explicit FanoutStore(Store& store);
    ~FanoutStore();

    // --- expansion
    // Fan-outs in state "expanding", oldest first.
    std::vector<ExpandingFanout> load_expanding();
    // Users and raw addresses the notification already has deliveries for
    // (user id, or the recipient when the user id is empty).
    std::vector<std::string> delivered_to(const std::string& notification_id);
    // Members of `group` with an id after `after`, in id order, at most `limit`,
    // with their address for `channel` and their opt-outs.
    std::vector<Recipient> members(const std::string& group, const std::string& after, int limit,
                                   const std::string& channel, AddressSource source);
    // One user with the address for `channel` and its opt-outs; nullopt when
    // there is no such user.
    std::optional<Recipient> user(const std::string& user_id, const std::string& channel,
                                  AddressSource source);
    // Writes `step`, setting its deliveries' seq and its seq_before.
    Status write_step(ExpansionStep& step);

    // --- approvals
    // Moves a fan-out in "pending-approval" to "expanding" (approve) or "rejected",
    // with the notification-level event "approved" ("by WHO") or "rejected"
    // ("by WHO: REASON"). Errors: not_found, not_pending_approval (kind conflict).
    Expected<FanoutState> decide(const std::string& notification_id, bool approve,
                                 const std::string& by, const std::string& reason, Millis now);
    // Stops a fan-out in "pending-approval" or "expanding": state "canceled" and the
    // notification-level event "canceled" ("by WHO", or "canceled" when `by` is
    // empty), in one transaction. True when a fan-out was stopped; false when the
    // notification has none or it is already done, rejected or canceled. Its
    // deliveries are not touched: the router cancels those it holds.
    Expected<bool> cancel(const std::string& notification_id, const std::string& by, Millis now);

    // --- the preference gate
    // The gate's mark of `scope`: the lowest of its partitions' rows
    // (store/router_leases.hpp read_gate_mark), else (no holder, or no rows)
    // the store's.
    std::int64_t gated_seq(const GateMarkScope& scope = {});
    // Store::apply's work and, when `gated_seq` is set, the gate's mark of
    // `scope` (its rows, and the store's when it serves every partition), in
    // one transaction.
    Status apply(const std::vector<Transition>& transitions, std::optional<std::int64_t> gated_seq,
                 const GateMarkScope& scope = {}, const std::function<void()>& also = {});
    std::optional<UserOptOuts> opt_outs(const std::string& user_id);
    // The raw address is unsubscribed from every category or from `category`.
    bool address_unsubscribed(const std::string& channel, const std::string& address,
                              const std::string& category);
    // Deliveries created at or after `since` with seq <= `up_to`, or attempted
    // (gated then, whatever their seq), that were not suppressed or canceled,
    // in seq order.
    std::vector<RecentDelivery> recent(Millis since, std::int64_t up_to);
    std::optional<NotificationContent> content(const std::string& notification_id);
    // The content of each of `notification_ids` in the store, through `each`
    // with its id as it is read (one in memory at a time), in no order: a few
    // statements for them all.
    void contents(
        const std::vector<std::string>& notification_ids,
        const std::function<void(const std::string& id, NotificationContent& content)>& each);

  private:
    std::vector<Preference> preferences(const std::string& user_id);
    // The users `query` (members or user) finds, with the preference rows of
    // those it says have some.
    std::vector<Recipient> recipients(Stmt& query);
    struct Statements;
    Store& store_;
    std::unique_ptr<Statements> st_;
};

// How users' addresses are found for a channel of provider type `type`.
AddressSource address_source(const std::string& type);

}  // namespace notify::store
