#include "store/store.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "store/delivery_rows.hpp"
#include "store/fanout_rows.hpp"
#include "store/gathered_log.hpp"
#include "store/mariadb_db.hpp"
#include "store/moved_file.hpp"
#include "store/multi_row.hpp"
#include "store/notification_rows.hpp"
#include "store/otp_store.hpp"
#include "store/partition_sql.hpp"
#include "store/private_file.hpp"
#include "store/rollup.hpp"
#include "store/schema.hpp"
#include "store/schema_mariadb.hpp"
#include "store/sqlite_db.hpp"
#include "util/crypto.hpp"
#include "util/id.hpp"
#include "util/strings.hpp"

namespace notify::store {

namespace {

const char* kDeliveryColumns =
    "seq, id, notification_id, channel, recipient, priority, state, attempts, created_at, "
    "updated_at, next_attempt_at, expires_at, provider, provider_message_id, last_error, user_id, "
    "locale";

const char* kApiKeyColumns =
    "id, name, scope, hash, created_at, revoked_at, rate_limit, recipients_per_day";

ApiKey read_api_key(const Stmt& s) {
    return ApiKey{s.text(0),    s.text(1),    s.text(2),
                  s.integer(4), s.integer(5), ApiKeyLimits{s.text(6), s.integer(7)}};
}

Delivery read_delivery(const Stmt& s) {
    Delivery d;
    d.seq = s.integer(0);
    d.id = s.text(1);
    d.notification_id = s.text(2);
    d.channel = s.text(3);
    d.recipient = s.text(4);
    d.priority = static_cast<Priority>(s.integer(5));
    d.state = parse_delivery_state(s.text(6)).value_or(DeliveryState::queued);
    d.attempts = static_cast<int>(s.integer(7));
    d.created_at = s.integer(8);
    d.updated_at = s.integer(9);
    d.next_attempt_at = s.integer(10);
    d.expires_at = s.integer(11);
    d.provider = s.text(12);
    d.provider_message_id = s.text(13);
    d.last_error = s.text(14);
    d.user_id = s.text(15);
    d.locale = s.text(16);
    return d;
}

std::string sql(const std::string& a, const char* cols, const std::string& b) {
    return a + cols + b;
}

}  // namespace

const char* const kNotificationColumns =
    "id, created_at, channel, recipients, subject, body, html, template, data, locale, priority, "
    "send_at, expires_at, category, module, idempotency_key, source, payload, api_key_id, bulk";

Notification read_notification(const Stmt& s) {
    Notification n;
    n.id = s.text(0);
    n.created_at = s.integer(1);
    n.channel = s.text(2);
    std::string recipients = s.text(3);
    if (!recipients.empty()) n.to = util::split(recipients, '\n');
    n.subject = s.text(4);
    n.body = s.text(5);
    n.html = s.text(6);
    n.template_name = s.text(7);
    n.data_json = s.text(8);
    n.locale = s.text(9);
    n.priority = static_cast<Priority>(s.integer(10));
    n.send_at = s.integer(11);
    n.expires_at = s.integer(12);
    n.category = s.text(13);
    n.module = s.text(14);
    n.idempotency_key = s.text(15);
    n.source = s.text(16);
    n.payload = s.text(17);
    n.api_key_id = s.text(18);
    n.bulk = s.integer(19) != 0;
    return n;
}

struct Store::Statements {
    explicit Statements(Db& db)
        : insert_notifications(
              MultiRow::insert(db, sql("INSERT INTO notifications (", kNotificationColumns, ")"),
                               "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")),
          rows(db),
          upsert_idempotency(MultiRow::insert(db,
                                              "REPLACE INTO idempotency (api_key_id, `key`, "
                                              "notification_id, request_hash, created_at)",
                                              "(?,?,?,?,?)")),
          find_idempotency(db,
                           "SELECT notification_id, request_hash, created_at FROM idempotency "
                           "WHERE api_key_id = ? AND `key` = ?"),
          get_notification(
              db, sql("SELECT ", kNotificationColumns, " FROM notifications WHERE id = ?")),
          deliveries_of(db, sql("SELECT ", kDeliveryColumns,
                                " FROM deliveries WHERE notification_id = ? ORDER BY seq")),
          delivery_by_id(db, sql("SELECT ", kDeliveryColumns, " FROM deliveries WHERE id = ?")),
          delivery_by_seq(db, sql("SELECT ", kDeliveryColumns, " FROM deliveries WHERE seq = ?")),
          delivery_by_message(db, sql("SELECT ", kDeliveryColumns,
                                      " FROM deliveries WHERE provider = ? AND "
                                      "provider_message_id = ? AND provider_message_id != '' "
                                      "ORDER BY seq DESC LIMIT 1")),
          delivery_has_event(db, "SELECT 1 FROM events WHERE delivery_id = ? AND type = ? LIMIT 1"),
          events_of(db,
                    "SELECT seq, delivery_id, at, type, detail FROM events WHERE delivery_id >= ? "
                    "AND delivery_id < ? ORDER BY seq"),
          load_active(db, sql("SELECT ", kDeliveryColumns,
                              " FROM deliveries WHERE state IN ('scheduled', 'queued', "
                              "'in-flight', 'deferred') ORDER BY seq")),
          load_new(db, sql("SELECT ", kDeliveryColumns,
                           " FROM deliveries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?")),
          max_seq(db, "SELECT COALESCE(MAX(seq), 0) FROM deliveries"),
          count_fanouts(db, "SELECT count(*) FROM fanouts WHERE state = ?"),
          // The deliveries first, by id, then each one's notification: left to
          // itself, MariaDB reads many ids of one notification (a group send's)
          // through that notification's every delivery.
          load_jobs(MultiRow::select(
              db,
              std::string("SELECT d.id, d.notification_id, d.channel, d.recipient, n.subject, "
                          "n.body, n.html, n.data, n.category, n.module, d.priority, d.attempts, "
                          "d.created_at, d.expires_at, d.user_id, CASE WHEN d.locale = '' THEN "
                          "n.locale ELSE d.locale END, n.template, n.payload FROM deliveries d ") +
                  (db.dialect() == Dialect::mariadb ? "STRAIGHT_JOIN" : "CROSS JOIN") +
                  " notifications n ON n.id = d.notification_id",
              "d.id")),
          update_deliveries(
              MultiRow::update(db, "deliveries", "id",
                               {{"state", "$"},
                                {"attempts", "$"},
                                {"next_attempt_at", "$"},
                                {"provider", "CASE WHEN $ = '' THEN provider ELSE $ END"},
                                {"provider_message_id", "$"},
                                {"last_error", "$"},
                                {"updated_at", "$"}})),
          queue_rows(db,
                     "SELECT priority, channel, state, COUNT(*), MIN(created_at) FROM deliveries "
                     "WHERE state IN ('scheduled', 'queued', 'in-flight', 'deferred') GROUP BY "
                     "priority, channel, state ORDER BY priority, channel, state"),
          insert_api_key(db,
                         "INSERT INTO api_keys (id, name, scope, hash, created_at, rate_limit, "
                         "recipients_per_day) VALUES (?,?,?,?,?,?,?)"),
          find_api_key(db, sql("SELECT ", kApiKeyColumns, " FROM api_keys WHERE id = ?")),
          list_api_keys(db, sql("SELECT ", kApiKeyColumns, " FROM api_keys ORDER BY created_at")),
          revoke_api_key(db,
                         "UPDATE api_keys SET revoked_at = ? WHERE (id = ? OR name = ?) AND "
                         "revoked_at = 0") {}

    MultiRow insert_notifications;
    DeliveryRows rows;  // deliveries and events
    MultiRow upsert_idempotency;
    Stmt find_idempotency, get_notification, deliveries_of, delivery_by_id, delivery_by_seq,
        delivery_by_message, delivery_has_event, events_of, load_active, load_new, max_seq,
        count_fanouts;
    MultiRow load_jobs, update_deliveries;
    Stmt queue_rows, insert_api_key, find_api_key, list_api_keys, revoke_api_key;
};

Expected<std::unique_ptr<Store>> Store::open(const std::string& path, const Options& options) {
    if (options.create && path != ":memory:") {
        std::error_code ec;
        auto dir = std::filesystem::path(path).parent_path();
        if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    }
    make_private(path, options.create);
    sqlite3* raw = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (options.create) flags |= SQLITE_OPEN_CREATE;
    // Under FULL every commit syncs its log before it is seen, so the log's
    // writes can be handed on in one piece (gathered_log.hpp).
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags,
                             options.synchronous_full ? gathered_log_vfs() : nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        sqlite3_close(raw);
        return make_error(ErrorKind::unavailable, "store_unavailable",
                          "cannot open store '" + path + "': " + msg);
    }
    std::unique_ptr<Db> connection = std::make_unique<SqliteDb>(raw, options.busy_timeout);
    Db& db = *connection;
    // Switching a new file to WAL and migrating it need locks that SQLite does not
    // wait for through the busy handler (it answers BUSY at once to avoid deadlock),
    // so daemons starting together on a new store take turns here.
    const Millis deadline = util::steady_ms() + options.busy_timeout;
    while (true) {
        try {
            exec(db, "PRAGMA journal_mode = WAL");
            exec(db, options.synchronous_full ? "PRAGMA synchronous = FULL"
                                              : "PRAGMA synchronous = NORMAL");
            exec(db, "PRAGMA foreign_keys = ON");
            exec(db, "PRAGMA temp_store = MEMORY");
            if (!options.checkpoints) exec(db, "PRAGMA wal_autocheckpoint = 0");
            const int found = current_schema_version(db);
            migrate(db);
            refuse_commits_when_moved(raw);
            define_crc32(db);
            return std::unique_ptr<Store>(new Store(connection, found));
        } catch (const StoreFailure& f) {
            int primary = f.code & 0xff;
            if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) &&
                util::steady_ms() < deadline) {
                usleep(10'000);
                continue;
            }
            Error e = to_error(f);
            e.message = "cannot open store '" + path + "': " + f.message;
            return e;
        }
    }
}

Expected<std::unique_ptr<Store>> Store::open(const MariaTarget& target, const Options& options) {
    try {
        MariaTarget waiting = target;
        waiting.timeout = options.busy_timeout;
        std::unique_ptr<Db> connection = std::make_unique<MariaDb>(waiting);
        const int found = mariadb_schema_version(*connection);
        // As a file that is not there is not made: what only reads creates nothing.
        if (found == 0 && !options.create)
            return make_error(ErrorKind::no_input, "store_empty",
                              "the database '" + target.database +
                                  "' holds no store yet ('notifyctl store migrate' makes one)");
        migrate_mariadb(*connection, options.busy_timeout);
        return std::unique_ptr<Store>(new Store(connection, found));
    } catch (const StoreFailure& f) {
        Error e = to_error(f);
        e.message = "cannot open store: " + f.message;
        return e;
    }
}

Expected<std::unique_ptr<Store>> Store::open_replica(const MariaTarget& target,
                                                     const Options& options) {
    try {
        // A replica that does not answer holds its reader up briefly: the
        // leader is there to answer instead.
        MariaTarget waiting = target;
        waiting.timeout = std::min<Millis>(options.busy_timeout, kReplicaConnectTimeout);
        waiting.io_timeout = kReplicaReadTimeout;
        std::unique_ptr<Db> connection = std::make_unique<MariaDb>(waiting);
        const int found = require_mariadb_schema(*connection);
        return std::unique_ptr<Store>(new Store(connection, found));
    } catch (const StoreFailure& f) {
        Error e = to_error(f);
        e.message = "cannot read replica: " + f.message;
        return e;
    }
}

Expected<std::optional<std::int64_t>> Store::replication_lag() {
    try {
        return db_.replication_lag();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

Store::Store(std::unique_ptr<Db>& connection, int schema_found)
    : db_(*connection), st_(std::make_unique<Statements>(db_)), schema_found_(schema_found) {
    // Taken once nothing can throw: a failure above leaves the connection to
    // the caller, which may try again on it.
    connection_ = std::move(connection);
}

Store::~Store() {
    // Statements go before the connection they were prepared on.
    st_.reset();
    one_time_codes_.reset();
}

int Store::schema_version() const {
    return current_schema_version(db_);
}

Status Store::insert_batch(std::vector<Accepted>& batch, const std::function<void()>& also) {
    try {
        Transaction tx(db_);
        write_batch(batch);
        if (also) also();
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

void Store::write_batch(std::vector<Accepted>& batch) {
    auto& s = *st_;
    // Each kind of row in as few statements as the batch allows, in its order.
    s.insert_notifications.run(
        batch.size(),
        [&](Stmt& st, int p, size_t i) {
            const Notification& n = batch[i].notification;
            st.bind(p, n.id)
                .bind(p + 1, n.created_at)
                .bind(p + 2, n.channel)
                .bind(p + 3, util::join(n.to, "\n"))
                .bind(p + 4, n.subject)
                .bind(p + 5, n.body)
                .bind(p + 6, n.html)
                .bind(p + 7, n.template_name)
                .bind(p + 8, n.data_json)
                .bind(p + 9, n.locale)
                .bind(p + 10, static_cast<int>(n.priority))
                .bind(p + 11, n.send_at)
                .bind(p + 12, n.expires_at)
                .bind(p + 13, n.category)
                .bind(p + 14, n.module)
                .bind(p + 15, n.idempotency_key)
                .bind(p + 16, n.source)
                .bind(p + 17, n.payload)
                .bind(p + 18, n.api_key_id)
                .bind(p + 19, n.bulk ? 1 : 0);
        },
        [&](size_t i) {
            const Notification& n = batch[i].notification;
            // Every value, and a number's 8 bytes each.
            size_t bytes = n.id.size() + n.channel.size() + n.subject.size() + n.body.size() +
                           n.html.size() + n.template_name.size() + n.data_json.size() +
                           n.locale.size() + n.category.size() + n.module.size() +
                           n.idempotency_key.size() + n.source.size() + n.payload.size() +
                           n.api_key_id.size() + 6 * 8;
            for (const auto& to : n.to) bytes += to.size() + 1;
            return bytes;
        });
    std::vector<Delivery*> deliveries;
    std::vector<NewEvent> accepted;
    std::vector<const Accepted*> keyed;
    for (auto& a : batch) {
        for (auto& d : a.deliveries) {
            // The row starts with no last error; a last_error given is the
            // detail of the delivery's "accepted" event.
            deliveries.push_back(&d);
            accepted.push_back({d.id,
                                a.notification.created_at,
                                "accepted",
                                d.last_error.empty() ? accepted_detail(d) : d.last_error,
                                {}});
        }
        if (a.fanout) insert_fanout(db_, *a.fanout);
        if (!a.notification.idempotency_key.empty()) keyed.push_back(&a);
    }
    s.rows.insert(deliveries, false);
    s.rows.events(accepted);
    s.upsert_idempotency.run(keyed.size(), [&](Stmt& st, int p, size_t i) {
        const Notification& n = keyed[i]->notification;
        st.bind(p, n.api_key_id)
            .bind(p + 1, n.idempotency_key)
            .bind(p + 2, n.id)
            .bind(p + 3, keyed[i]->request_hash)
            .bind(p + 4, n.created_at);
    });
}

OtpStore& Store::one_time_codes() {
    if (!one_time_codes_) one_time_codes_ = std::make_unique<OtpStore>(db_);
    return *one_time_codes_;
}

std::optional<IdempotencyRecord> Store::find_idempotency(const std::string& api_key_id,
                                                         const std::string& key, Millis now,
                                                         Millis window) {
    auto found = st_->find_idempotency.bind(1, api_key_id).bind(2, key).first([](const Stmt& s) {
        return IdempotencyRecord{s.text(0), s.text(1), s.integer(2)};
    });
    if (found && found->created_at + window > now) return found;
    return std::nullopt;
}

Expected<NotificationView> Store::get_notification(const std::string& id, bool with_events,
                                                   int delivery_limit) {
    try {
        auto& s = *st_;
        NotificationView v;
        s.get_notification.bind(1, id);
        bool found = s.get_notification.step();
        if (found) v.notification = read_notification(s.get_notification);
        s.get_notification.reset();
        if (!found)
            return make_error(ErrorKind::not_found, "not_found", "no notification '" + id + "'");
        v.fanout = find_fanout(db_, id);
        const bool whole = fill_deliveries(v, delivery_limit);
        if (with_events) {
            auto read_event = [](const Stmt& e) {
                return Event{e.integer(0), e.text(1), e.integer(2), e.text(3), e.text(4)};
            };
            if (whole) {
                // The notification's own events (fan-out, approval) and its deliveries'.
                v.events = s.events_of.bind(1, id).bind(2, id + "/").collect(read_event);
            } else {
                // Those of the deliveries shown, and the notification's own.
                Stmt of(db_,
                        "SELECT seq, delivery_id, at, type, detail FROM events WHERE "
                        "delivery_id = ? ORDER BY seq");
                v.events = of.bind(1, id).collect(read_event);
                for (const auto& d : v.deliveries) {
                    auto more = of.bind(1, d.id).collect(read_event);
                    v.events.insert(v.events.end(), more.begin(), more.end());
                }
                std::sort(v.events.begin(), v.events.end(),
                          [](const Event& a, const Event& b) { return a.seq < b.seq; });
            }
        }
        return v;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

bool Store::fill_deliveries(NotificationView& v, int limit) {
    const std::string& id = v.notification.id;
    Stmt counts(db_,
                "SELECT state, COUNT(*) FROM deliveries WHERE notification_id = ? GROUP BY state");
    counts.bind(1, id);
    while (counts.step()) {
        v.delivery_counts[counts.text(0)] = counts.integer(1);
        v.deliveries_total += counts.integer(1);
    }
    const bool whole = limit < 0 || v.deliveries_total <= limit;
    if (whole) {
        v.deliveries = deliveries_of(id);
    } else {
        Stmt first(db_, std::string("SELECT ") + kDeliveryColumns +
                            " FROM deliveries WHERE notification_id = ? ORDER BY seq LIMIT ?");
        v.deliveries = first.bind(1, id).bind(2, limit).collect(read_delivery);
    }
    return whole;
}

std::vector<Delivery> Store::deliveries_of(const std::string& notification_id) {
    return st_->deliveries_of.bind(1, notification_id).collect(read_delivery);
}

std::optional<Delivery> Store::find_delivery(const std::string& id) {
    return st_->delivery_by_id.bind(1, id).first(read_delivery);
}

std::optional<Delivery> Store::find_delivery_by_seq(std::int64_t seq) {
    return st_->delivery_by_seq.bind(1, seq).first(read_delivery);
}

std::optional<Delivery> Store::find_delivery_by_message(const std::string& provider,
                                                        const std::string& message_id) {
    return st_->delivery_by_message.bind(1, provider).bind(2, message_id).first(read_delivery);
}

bool Store::has_event(const std::string& delivery_id, const std::string& type) {
    return st_->delivery_has_event.bind(1, delivery_id)
        .bind(2, type)
        .first([](Stmt&) { return true; })
        .has_value();
}

std::vector<QueueRow> Store::queue_rows() {
    auto& s = st_->queue_rows;
    std::vector<QueueRow> out;
    while (s.step()) {
        QueueRow r;
        r.priority = static_cast<Priority>(s.integer(0));
        r.channel = s.text(1);
        r.state = parse_delivery_state(s.text(2)).value_or(DeliveryState::queued);
        r.count = s.integer(3);
        r.oldest = s.integer(4);
        out.push_back(std::move(r));
    }
    s.reset();
    return out;
}

void Store::for_each_active(const std::function<void(const Delivery&)>& each) {
    Stmt& s = st_->load_active;
    try {
        while (s.step()) each(read_delivery(s));
    } catch (...) {
        s.reset();
        throw;
    }
    s.reset();
}

std::vector<Delivery> Store::load_new(std::int64_t after_seq, int limit, std::int64_t up_to) {
    return st_->load_new.bind(1, after_seq).bind(2, up_to).bind(3, limit).collect(read_delivery);
}

std::vector<Delivery> Store::load_new(const PartitionSet& serves, std::int64_t after_seq, int limit,
                                      std::int64_t up_to) {
    const std::string sql =
        "SELECT " + std::string(kDeliveryColumns) + " FROM deliveries WHERE seq > ? AND seq <= ?" +
        among(serves, delivery_partition(serves.count())) + " ORDER BY seq LIMIT ?";
    if (!load_new_of_ || load_new_of_->first != sql) load_new_of_.emplace(sql, Stmt(db_, sql));
    return load_new_of_->second.bind(1, after_seq)
        .bind(2, up_to)
        .bind(3, limit)
        .collect(read_delivery);
}

std::int64_t Store::max_delivery_seq() {
    auto& s = st_->max_seq;
    s.step();
    std::int64_t v = s.integer(0);
    s.reset();
    return v;
}

std::int64_t Store::count_fanouts(FanoutState state) {
    auto& s = st_->count_fanouts;
    s.bind(1, to_string(state));
    s.step();
    std::int64_t v = s.integer(0);
    s.reset();
    return v;
}

std::optional<wire::Job> Store::load_job(const std::string& delivery_id) {
    auto jobs = load_jobs({delivery_id});
    if (jobs.empty()) return std::nullopt;
    return std::move(jobs.front());
}

std::vector<wire::Job> Store::load_jobs(const std::vector<std::string>& delivery_ids) {
    std::vector<wire::Job> out;
    out.reserve(delivery_ids.size());
    auto bind = [&](Stmt& s, int p, size_t i) { s.bind(p, delivery_ids[i]); };
    st_->load_jobs.read(delivery_ids.size(), bind, [&](Stmt& s) {
        wire::Job j;
        j.delivery_id = s.text(0);
        j.notification_id = s.text(1);
        j.channel = s.text(2);
        j.to = s.text(3);
        j.subject = s.text(4);
        j.body = s.text(5);
        j.html = s.text(6);
        j.data_json = s.text(7);
        j.category = s.text(8);
        j.module = s.text(9);
        j.priority = static_cast<Priority>(s.integer(10));
        j.attempt = static_cast<int>(s.integer(11)) + 1;
        j.created_at = s.integer(12);
        j.expires_at = s.integer(13);
        j.user_id = s.text(14);
        j.locale = s.text(15);
        j.template_name = s.text(16);
        j.payload = s.text(17);
        out.push_back(std::move(j));
    });
    return out;
}

Status Store::apply(const std::vector<Transition>& transitions,
                    const std::vector<std::pair<std::string, std::string>>& settings,
                    const std::function<void()>& also) {
    if (transitions.empty() && settings.empty() && !also) return ok();
    try {
        Transaction tx(db_);
        auto& s = *st_;
        // Each row set once, by the last of its transitions.
        std::vector<const Transition*> rows;
        std::unordered_map<std::string_view, size_t> row_of;
        std::vector<NewEvent> events;
        for (const auto& t : transitions) {
            if (t.update_row) {
                auto [it, first] = row_of.try_emplace(t.delivery_id, rows.size());
                if (first)
                    rows.push_back(&t);
                else
                    rows[it->second] = &t;
            }
            if (!t.event_type.empty())
                events.push_back({t.delivery_id, t.at, t.event_type, t.event_detail,
                                  is_report_status(t.event_type)
                                      ? EventFacts{t.provider, t.reason, t.size}
                                      : EventFacts{}});
        }
        s.update_deliveries.run(
            rows.size(),
            [&](Stmt& st, int p, size_t i) {
                const Transition& t = *rows[i];
                st.bind(p, t.delivery_id)
                    .bind(p + 1, to_string(t.state))
                    .bind(p + 2, t.attempts)
                    .bind(p + 3, t.next_attempt_at)
                    .bind(p + 4, t.provider)
                    .bind(p + 5, t.provider_message_id)
                    .bind(p + 6, t.last_error)
                    .bind(p + 7, t.at);
            },
            [&](size_t i) {
                // The key is sent once for each column's CASE, the provider twice.
                const Transition& t = *rows[i];
                return 8 * t.delivery_id.size() + 2 * t.provider.size() +
                       t.provider_message_id.size() + t.last_error.size() + 32;
            });
        s.rows.events(events);
        for (const auto& [key, value] : settings) write_setting(db_, key, value);
        if (also) also();
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::string Store::setting(const std::string& key) {
    try {
        return read_setting(db_, key);
    } catch (const StoreFailure&) {
        return {};
    }
}

bool Store::file_moved() {
    return db_.dialect() == Dialect::sqlite && store::file_moved(sqlite_handle(db_));
}

Status Store::probe_write(Millis now) {
    return in_transaction(db_, [&] {
        write_setting(db_, "write_probe", std::to_string(now));
        return ok();
    });
}

Expected<std::string> Store::setting_or_insert(const std::string& key, const std::string& value) {
    try {
        Transaction tx(db_);
        std::string current = read_setting(db_, key);
        if (current.empty()) {
            write_setting(db_, key, value);
            current = value;
        }
        tx.commit();
        return current;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

Expected<std::string> Store::create_api_key(const std::string& name, const std::string& scope,
                                            const ApiKeyLimits& limits) {
    if (scope != "send" && scope != "read" && scope != "admin")
        return make_error(
            ErrorKind::usage, "invalid_scope",
            "unknown scope '" + scope + "'" + util::did_you_mean(scope, {"send", "read", "admin"}));
    std::string id = util::to_lower(util::new_ulid().substr(10));
    std::string secret = util::base64url(util::random_bytes(24));
    try {
        auto& s = st_->insert_api_key;
        s.bind(1, id)
            .bind(2, name.empty() ? id : name)
            .bind(3, scope)
            .bind(4, util::hex(util::sha256(secret)))
            .bind(5, util::now_ms())
            .bind(6, limits.rate_limit)
            .bind(7, static_cast<std::int64_t>(limits.recipients_per_day));
        s.step();
        s.reset();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
    return "nk_" + id + "_" + secret;
}

std::optional<ApiKey> Store::find_api_key(const std::string& presented) {
    // "nk_<id>_<secret>": look up by id, compare the secret's hash in constant time.
    if (!util::starts_with(presented, "nk_")) return std::nullopt;
    auto sep = presented.find('_', 3);
    if (sep == std::string::npos) return std::nullopt;
    std::string id = presented.substr(3, sep - 3);
    std::string secret = presented.substr(sep + 1);
    auto& s = st_->find_api_key;
    s.bind(1, id);
    std::optional<ApiKey> out;
    if (s.step()) {
        ApiKey k = read_api_key(s);
        if (k.revoked_at == 0 &&
            util::constant_time_equal(s.text(3), util::hex(util::sha256(secret))))
            out = k;
    }
    s.reset();
    return out;
}

std::vector<ApiKey> Store::list_api_keys() {
    return st_->list_api_keys.collect(read_api_key);
}

Status Store::revoke_api_key(const std::string& id_or_name) {
    try {
        auto& s = st_->revoke_api_key;
        s.bind(1, util::now_ms()).bind(2, id_or_name).bind(3, id_or_name);
        s.step();
        s.reset();
        if (db_.changes() == 0)
            return make_error(ErrorKind::not_found, "not_found",
                              "no active API key '" + id_or_name + "'");
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

}  // namespace notify::store
