// store.hpp - the SQLite store: notifications, deliveries, the activity log,
// idempotency keys and API keys. WAL mode, versioned migrations, prepared
// statements only.
//
// A Store is one connection and is not thread-safe: each thread that needs the
// store opens its own. Ingest writes what is accepted (insert_batch); the
// router writes everything that happens to a delivery afterwards (apply).
// Writers batch many changes into one transaction (group commit).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model.hpp"
#include "store/fanout.hpp"
#include "util/error.hpp"
#include "wire.hpp"

#include "store/db.hpp"

namespace notify {
class PartitionSet;
}

namespace notify::store {

class OtpStore;
struct MariaTarget;

struct Options {
    bool synchronous_full = true;  // fsync on every commit (durable acknowledgements)
    Millis busy_timeout = 5000;
    bool create = true;  // create the file and its folder when missing
    // Whether this connection's commits copy the write-ahead log into the
    // file once it has grown past 1,000 pages (SQLite's automatic checkpoint,
    // which the committing thread waits for: an fsync of the file under
    // synchronous FULL). Off on a path that must answer quickly, whose process
    // runs a Checkpointer (store/checkpointer.hpp) instead.
    bool checkpoints = true;
};

// A notification with its deliveries, as ingest accepts it.
struct Accepted {
    Notification notification;
    std::vector<Delivery> deliveries;
    std::string request_hash;  // hash of the canonical request, for idempotency
    // Set for a send to users or groups, or one held for approval: the router
    // makes the deliveries (`deliveries` is then empty).
    std::optional<Fanout> fanout;
};

struct IdempotencyRecord {
    std::string notification_id;
    std::string request_hash;
    Millis created_at = 0;
};

// A notification with its deliveries and, when asked, their events.
struct NotificationView {
    Notification notification;
    std::vector<Delivery> deliveries;
    std::vector<Event> events;  // of its deliveries and of the notification itself (fan-out)
    std::optional<Fanout> fanout;
    std::int64_t deliveries_total = 0;                    // all its deliveries
    std::map<std::string, std::int64_t> delivery_counts;  // by state name
};

struct ListFilter {
    // Notifications with a delivery in `status`, or whose fan-out is in `fanout`;
    // with both set, either one matches.
    std::optional<DeliveryState> status;
    std::optional<FanoutState> fanout;
    std::string channel;
    std::optional<Priority> priority;
    std::string module;
    std::string group;  // notifications sent to group:NAME
    std::string user;   // with a delivery made for this directory user
    std::string template_name;
    std::string schedule;    // made by the firings of this schedule
    std::string text;        // in the subject or the body (a scan within the other filters)
    std::string api_key_id;  // made by this API key only (a send-scope key's own)
    Millis since = 0;        // created at or after
    Millis until = 0;        // created before
    int limit = 50;
    std::string cursor;  // the last id of the previous page (ids sort by time, newest first)
    // Filters checked row by row read at most this many notifications a page
    // (newest first from the cursor); when the window ends before the range
    // does, the page may hold fewer than `limit` and next_cursor reads on.
    int window = 50000;
};

// A page lists at most this many deliveries of each notification; its counts
// cover them all.
constexpr int kListedDeliveries = 100;

struct ListPage {
    std::vector<NotificationView> notifications;  // with deliveries, without events
    std::string next_cursor;                      // "" on the last page
};

// One row of `notifyctl queue`: non-final deliveries by priority, channel and state.
struct QueueRow {
    Priority priority = Priority::medium;
    std::string channel;
    DeliveryState state = DeliveryState::queued;
    std::int64_t count = 0;
    Millis oldest = 0;  // created_at of the oldest
};

// A change the router makes to one delivery, with the event that records it.
struct Transition {
    std::string delivery_id;
    DeliveryState state = DeliveryState::queued;
    int attempts = 0;
    Millis next_attempt_at = 0;
    std::string provider;
    std::string provider_message_id;
    std::string last_error;
    Millis at = 0;
    std::string event_type;
    std::string event_detail;
    std::string reason;      // of a failure, retry or suppression, short (store/rollup.hpp)
    std::int64_t size = -1;  // bytes sent, for "sent"
    bool update_row = true;  // false: a later transition in the same batch sets the row
};

// A key's own limits; "" and -1 take the [api] defaults of the config.
struct ApiKeyLimits {
    std::string rate_limit;        // "100/1s", "none", or "" (api.rate_limit)
    long recipients_per_day = -1;  // 0: no limit; -1: api.recipients_per_day
};

struct ApiKey {
    std::string id;
    std::string name;
    std::string scope;  // send, read or admin
    Millis created_at = 0;
    Millis revoked_at = 0;
    ApiKeyLimits limits;
};

class Store {
  public:
    static constexpr Millis kReplicaConnectTimeout = 1000;
    static constexpr Millis kReplicaReadTimeout = 10000;
    static Expected<std::unique_ptr<Store>> open(const std::string& path, const Options& options);
    // The store in a MariaDB or MySQL database, which must exist: its schema is
    // made on the first open (with options.create; without it, an empty
    // database is no_input "store_empty"). `options.busy_timeout` is the wait
    // for a lock.
    static Expected<std::unique_ptr<Store>> open(const MariaTarget& target, const Options& options);
    // A read replica of such a database (store.replicas): its schema is
    // taken as it is, and must be this build's. Connecting may take up to
    // kReplicaConnectTimeout, and the server's answer to a read up to
    // kReplicaReadTimeout.
    static Expected<std::unique_ptr<Store>> open_replica(const MariaTarget& target,
                                                         const Options& options);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    int schema_version() const;
    // How far behind its source this store is, as a replica (Db::replication_lag).
    Expected<std::optional<std::int64_t>> replication_lag();
    // The version the schema had when this connection opened the store, before
    // it migrated it (0: a new store).
    int schema_found() const { return schema_found_; }

    // --- ingest -----------------------------------------------------------------
    // Writes the notifications, their deliveries (setting each Delivery::seq), one
    // "accepted" event per delivery, and idempotency keys, in one transaction;
    // `also` writes more in it (a StoreFailure it throws rolls the lot back).
    Status insert_batch(std::vector<Accepted>& batch, const std::function<void()>& also = {});
    // The same rows in a write transaction the caller holds (in_transaction on
    // handle()); a failure throws StoreFailure.
    void write_batch(std::vector<Accepted>& batch);
    // The record for `key` of the API key `api_key_id` if it was used within
    // `window` of `now`: idempotency keys are scoped per API key.
    std::optional<IdempotencyRecord> find_idempotency(const std::string& api_key_id,
                                                      const std::string& key, Millis now,
                                                      Millis window);
    // One-time codes on this connection (made on first use), for ingest's
    // writer to keep and check codes in its group commit.
    OtpStore& one_time_codes();

    // --- reads ------------------------------------------------------------------
    // At most `delivery_limit` deliveries (the first stored; negative: all) with
    // their events; the counts cover every delivery.
    Expected<NotificationView> get_notification(const std::string& id, bool with_events,
                                                int delivery_limit = -1);
    Expected<ListPage> list_notifications(const ListFilter& filter);
    std::vector<QueueRow> queue_rows();
    // Sends to users and groups in `state` (the dashboard's pending approvals).
    std::int64_t count_fanouts(FanoutState state);

    // --- router -----------------------------------------------------------------
    // Each delivery not in a final state, in store order, read one at a time
    // (a million scheduled ones are never all in memory at once).
    void for_each_active(const std::function<void(const Delivery&)>& each);
    // Deliveries stored after `after_seq` and up to `up_to`, in store order, at
    // most `limit`.
    std::vector<Delivery> load_new(std::int64_t after_seq, int limit,
                                   std::int64_t up_to = std::numeric_limits<std::int64_t>::max());
    // Those of them of the partitions `serves` holds (partition_sql.hpp): a
    // router sharing the partitions reads only its own.
    std::vector<Delivery> load_new(const PartitionSet& serves, std::int64_t after_seq, int limit,
                                   std::int64_t up_to);
    std::int64_t max_delivery_seq();
    // What a worker needs to attempt one delivery (provider, attempt and deadline unset).
    std::optional<wire::Job> load_job(const std::string& delivery_id);
    // The jobs of those of `delivery_ids` in the store, in no order: a few
    // statements for them all.
    std::vector<wire::Job> load_jobs(const std::vector<std::string>& delivery_ids);
    std::vector<Delivery> deliveries_of(const std::string& notification_id);
    std::optional<Delivery> find_delivery(const std::string& id);
    std::optional<Delivery> find_delivery_by_seq(std::int64_t seq);
    // The latest delivery `provider` took with the id `message_id` (its
    // provider_message_id), for a receipt that names it so.
    std::optional<Delivery> find_delivery_by_message(const std::string& provider,
                                                     const std::string& message_id);
    // Whether the delivery's log holds an event of `type` (committed).
    bool has_event(const std::string& delivery_id, const std::string& type);
    // Applies the transitions and appends their events in one transaction.
    // `settings` are written in the same transaction (the router's gate mark),
    // and `also` runs last in it (the router's rollups).
    Status apply(const std::vector<Transition>& transitions,
                 const std::vector<std::pair<std::string, std::string>>& settings = {},
                 const std::function<void()>& also = {});

    // --- API keys ---------------------------------------------------------------
    // Creates a key; returns the secret to show once ("nk_<id>_<secret>").
    Expected<std::string> create_api_key(const std::string& name, const std::string& scope,
                                         const ApiKeyLimits& limits = {});
    std::optional<ApiKey> find_api_key(const std::string& presented);
    std::vector<ApiKey> list_api_keys();
    Status revoke_api_key(const std::string& id_or_name);

    // --- settings the daemons share (table `settings`) ---------------------------
    std::string setting(const std::string& key);
    // Writes `value` unless the key is set already; returns the value now stored.
    Expected<std::string> setting_or_insert(const std::string& key, const std::string& value);

    // --- health -----------------------------------------------------------------
    // Every commit is refused once the file was deleted or replaced (moved_file.hpp).
    bool file_moved();
    // A small write transaction (the time, in `settings`): whether the store takes
    // writes now, for a daemon that wants to know without waiting for traffic.
    Status probe_write(Millis now);

    // The connection, for the store's other parts (directory, templates, ...).
    Db& handle() { return db_; }

  private:
    Store(std::unique_ptr<Db>& connection, int schema_found);
    // Counts v's deliveries by state and reads the first `limit` (negative: all);
    // true when that is all of them.
    bool fill_deliveries(NotificationView& v, int limit);
    struct Statements;
    std::unique_ptr<Db> connection_;
    Db& db_;
    std::unique_ptr<Statements> st_;
    std::unique_ptr<OtpStore> one_time_codes_;
    // load_new of a set of partitions: its text, and the statement.
    std::optional<std::pair<std::string, Stmt>> load_new_of_;
    int schema_found_ = 0;
};

}  // namespace notify::store
