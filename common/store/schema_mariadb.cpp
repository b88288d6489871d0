#include "store/schema_mariadb.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "store/schema.hpp"

namespace notify::store {

namespace {

// The schema of SQLite's migrations 1 to 18, in MariaDB's words.
constexpr int kBaselineVersion = 18;

// The migrations after the baseline, from 19 on, one for each of SQLite's.
const char* const kLater[] = {
    // 19: text as long as the API takes it (256 bytes).
    "ALTER TABLE notifications MODIFY template VARBINARY(256) NOT NULL DEFAULT '', "
    "MODIFY locale VARBINARY(256) NOT NULL DEFAULT '', "
    "MODIFY category VARBINARY(256) NOT NULL DEFAULT ''; "
    "ALTER TABLE deliveries MODIFY locale VARBINARY(256) NOT NULL DEFAULT ''; "
    "ALTER TABLE inbox_items MODIFY category VARBINARY(256) NOT NULL DEFAULT ''; "
    "ALTER TABLE inbox_events MODIFY category VARBINARY(256) NOT NULL DEFAULT ''; "
    "ALTER TABLE preferences MODIFY category VARBINARY(256) NOT NULL DEFAULT ''; "
    "ALTER TABLE unsubscribed_addresses MODIFY category VARBINARY(256) NOT NULL DEFAULT ''",
    // 20: the processes of a cluster (store/cluster_members.hpp).
    "CREATE TABLE IF NOT EXISTS cluster_members ("
    "id VARBINARY(1024) NOT NULL PRIMARY KEY, "
    "role VARBINARY(64) NOT NULL, "
    "host VARBINARY(255) NOT NULL, "
    "pid BIGINT NOT NULL, "
    "started_at BIGINT NOT NULL, "
    "seen_at BIGINT NOT NULL, "
    "stopped_at BIGINT NOT NULL DEFAULT 0, "
    "detail MEDIUMBLOB NOT NULL"
    ") ENGINE = InnoDB",
    // 21: which router delivers (store/router_leases.hpp).
    "CREATE TABLE IF NOT EXISTS router_partitions ("
    "partition_no BIGINT NOT NULL PRIMARY KEY, "
    "owner VARBINARY(1024) NOT NULL, "
    "epoch BIGINT NOT NULL, "
    "expires_at BIGINT NOT NULL"
    ") ENGINE = InnoDB",
    // 22: the gate's mark per partition.
    "ALTER TABLE router_partitions ADD COLUMN IF NOT EXISTS gated_seq BIGINT NOT NULL DEFAULT 0; "
    "UPDATE router_partitions SET gated_seq = COALESCE((SELECT CAST(value AS SIGNED) FROM "
    "settings WHERE `key` = 'router.gated_seq'), 0)",
    // 23: the routers claiming partitions.
    "CREATE TABLE IF NOT EXISTS router_claimants ("
    "owner VARBINARY(1024) NOT NULL PRIMARY KEY, "
    "partitions BIGINT NOT NULL, "
    "claimed_until BIGINT NOT NULL"
    ") ENGINE = InnoDB",
};

const char* const kBaseline[] = {
    R"sql(CREATE TABLE IF NOT EXISTS notifications (
    id              VARBINARY(255) NOT NULL PRIMARY KEY,
    created_at      BIGINT NOT NULL,
    channel         VARBINARY(255) NOT NULL,
    recipients      LONGBLOB NOT NULL DEFAULT '',
    subject         LONGBLOB NOT NULL DEFAULT '',
    body            LONGBLOB NOT NULL DEFAULT '',
    html            LONGBLOB NOT NULL DEFAULT '',
    template        VARBINARY(255) NOT NULL DEFAULT '',
    data            LONGBLOB NOT NULL DEFAULT '',
    locale          VARBINARY(64) NOT NULL DEFAULT '',
    priority        BIGINT NOT NULL,
    send_at         BIGINT NOT NULL DEFAULT 0,
    expires_at      BIGINT NOT NULL DEFAULT 0,
    category        VARBINARY(255) NOT NULL DEFAULT '',
    module          VARBINARY(1024) NOT NULL DEFAULT '',
    idempotency_key VARBINARY(1024) NOT NULL DEFAULT '',
    source          VARBINARY(1024) NOT NULL DEFAULT '',
    payload         LONGBLOB NOT NULL DEFAULT '',
    api_key_id      VARBINARY(255) NOT NULL DEFAULT '',
    bulk            BIGINT NOT NULL DEFAULT 0,
    INDEX notifications_by_template (template, id)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS deliveries (
    seq                 BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    id                  VARBINARY(255) NOT NULL UNIQUE,
    notification_id     VARBINARY(255) NOT NULL,
    channel             VARBINARY(255) NOT NULL,
    recipient           VARBINARY(2048) NOT NULL DEFAULT '',
    priority            BIGINT NOT NULL,
    state               VARBINARY(64) NOT NULL,
    attempts            BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    next_attempt_at     BIGINT NOT NULL DEFAULT 0,
    expires_at          BIGINT NOT NULL DEFAULT 0,
    provider            VARBINARY(255) NOT NULL DEFAULT '',
    provider_message_id VARBINARY(1024) NOT NULL DEFAULT '',
    last_error          LONGBLOB NOT NULL DEFAULT '',
    user_id             VARBINARY(255) NOT NULL DEFAULT '',
    locale              VARBINARY(64) NOT NULL DEFAULT '',
    INDEX deliveries_by_notification (notification_id),
    INDEX deliveries_by_state (state),
    INDEX deliveries_by_created (created_at),
    INDEX deliveries_by_provider_message (provider, provider_message_id),
    INDEX deliveries_by_user (user_id, notification_id)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS events (
    seq         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    delivery_id VARBINARY(255) NOT NULL,
    at          BIGINT NOT NULL,
    type        VARBINARY(64) NOT NULL,
    detail      LONGBLOB NOT NULL DEFAULT '',
    provider    VARBINARY(255) NOT NULL DEFAULT '',
    reason      LONGBLOB NOT NULL DEFAULT '',
    size        BIGINT NOT NULL DEFAULT -1,
    INDEX events_by_delivery (delivery_id)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS api_keys (
    id                 VARBINARY(255) NOT NULL PRIMARY KEY,
    name               VARBINARY(1024) NOT NULL,
    scope              VARBINARY(255) NOT NULL,
    hash               VARBINARY(255) NOT NULL,
    created_at         BIGINT NOT NULL,
    revoked_at         BIGINT NOT NULL DEFAULT 0,
    rate_limit         VARBINARY(255) NOT NULL DEFAULT '',
    recipients_per_day BIGINT NOT NULL DEFAULT -1
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS templates (
    name       VARBINARY(255) NOT NULL,
    channel    VARBINARY(255) NOT NULL DEFAULT '',
    locale     VARBINARY(64) NOT NULL DEFAULT '',
    version    BIGINT NOT NULL,
    subject    LONGBLOB NOT NULL DEFAULT '',
    text       LONGBLOB NOT NULL DEFAULT '',
    html       LONGBLOB NOT NULL DEFAULT '',
    params     LONGBLOB NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    author     VARBINARY(1024) NOT NULL DEFAULT '',
    deleted    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (name, channel, locale, version)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS users (
    id              VARBINARY(255) NOT NULL PRIMARY KEY,
    name            LONGBLOB NOT NULL DEFAULT '',
    email           VARBINARY(1024) NOT NULL DEFAULT '',
    phone           VARBINARY(1024) NOT NULL DEFAULT '',
    locale          VARBINARY(64) NOT NULL DEFAULT '',
    timezone        VARBINARY(255) NOT NULL DEFAULT '',
    module          VARBINARY(1024) NOT NULL DEFAULT '',
    attributes      LONGBLOB NOT NULL DEFAULT '',
    unsubscribed_at BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    quiet_hours     LONGBLOB NOT NULL DEFAULT '',
    INDEX users_by_email (email),
    INDEX users_by_phone (phone)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS `groups` (
    name              VARBINARY(255) NOT NULL PRIMARY KEY,
    description       LONGBLOB NOT NULL DEFAULT '',
    requires_approval BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS group_members (
    group_name VARBINARY(255) NOT NULL,
    user_id    VARBINARY(255) NOT NULL,
    PRIMARY KEY (group_name, user_id),
    INDEX group_members_by_user (user_id)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS preferences (
    user_id    VARBINARY(255) NOT NULL,
    category   VARBINARY(255) NOT NULL DEFAULT '',
    channel    VARBINARY(255) NOT NULL DEFAULT '',
    opted_out  BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, category, channel)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS unsubscribed_addresses (
    channel    VARBINARY(255) NOT NULL,
    address    VARBINARY(2048) NOT NULL,
    category   VARBINARY(255) NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (channel, address, category)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS fanouts (
    notification_id VARBINARY(255) NOT NULL PRIMARY KEY,
    targets    LONGBLOB NOT NULL,
    state      VARBINARY(64) NOT NULL,
    total      BIGINT NOT NULL DEFAULT 0,
    expanded   BIGINT NOT NULL DEFAULT 0,
    `cursor`   LONGBLOB NOT NULL DEFAULT '',
    decided_by VARBINARY(1024) NOT NULL DEFAULT '',
    decided_at BIGINT NOT NULL DEFAULT 0,
    reason     LONGBLOB NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    INDEX fanouts_by_state (state)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS settings (
    `key` VARBINARY(255) NOT NULL PRIMARY KEY,
    value LONGBLOB NOT NULL
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS idempotency (
    api_key_id      VARBINARY(255) NOT NULL,
    `key`           VARBINARY(1024) NOT NULL,
    notification_id VARBINARY(255) NOT NULL,
    request_hash    VARBINARY(255) NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (api_key_id, `key`)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS audit (
    seq    BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at     BIGINT NOT NULL,
    actor  VARBINARY(1024) NOT NULL,
    action VARBINARY(255) NOT NULL,
    target LONGBLOB NOT NULL DEFAULT '',
    detail LONGBLOB NOT NULL DEFAULT '',
    INDEX audit_by_at (at)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS rollup_buckets (
    generation BIGINT NOT NULL,
    resolution BIGINT NOT NULL,
    dimension  VARBINARY(2048) NOT NULL,
    bucket     BIGINT NOT NULL,
    data       LONGBLOB NOT NULL,
    PRIMARY KEY (generation, resolution, dimension, bucket)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS early_receipts (
    kind    VARBINARY(64) NOT NULL,
    `key`   VARBINARY(2048) NOT NULL,
    note    LONGBLOB NOT NULL,
    `until` BIGINT NOT NULL,
    PRIMARY KEY (kind, `key`)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS schedules (
    name         VARBINARY(255) NOT NULL PRIMARY KEY,
    kind         VARBINARY(64) NOT NULL,
    spec         VARBINARY(1024) NOT NULL,
    timezone     VARBINARY(255) NOT NULL DEFAULT '',
    anchor       BIGINT NOT NULL DEFAULT 0,
    `until`      BIGINT NOT NULL DEFAULT 0,
    misfire      VARBINARY(64) NOT NULL DEFAULT 'once',
    paused       BIGINT NOT NULL DEFAULT 0,
    notification LONGBLOB NOT NULL,
    api_key_id   VARBINARY(255) NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    next_at      BIGINT NOT NULL DEFAULT 0,
    last_at      BIGINT NOT NULL DEFAULT 0
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS schedule_firings (
    schedule        VARBINARY(255) NOT NULL,
    at              BIGINT NOT NULL,
    handled_at      BIGINT NOT NULL,
    outcome         VARBINARY(64) NOT NULL,
    firings         BIGINT NOT NULL DEFAULT 1,
    notification_id VARBINARY(255) NOT NULL DEFAULT '',
    detail          LONGBLOB NOT NULL DEFAULT '',
    PRIMARY KEY (schedule, at),
    INDEX schedule_firings_notification (notification_id)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS inbox_items (
    seq             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    id              VARBINARY(255) NOT NULL UNIQUE,
    user_id         VARBINARY(255) NOT NULL,
    notification_id VARBINARY(255) NOT NULL,
    channel         VARBINARY(255) NOT NULL,
    category        VARBINARY(255) NOT NULL DEFAULT '',
    subject         LONGBLOB NOT NULL DEFAULT '',
    body            LONGBLOB NOT NULL DEFAULT '',
    data            LONGBLOB NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    seen_at         BIGINT NOT NULL DEFAULT 0,
    read_at         BIGINT NOT NULL DEFAULT 0,
    archived_at     BIGINT NOT NULL DEFAULT 0,
    INDEX inbox_items_by_user (user_id, seq),
    INDEX inbox_items_unread (user_id, read_at, archived_at)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS inbox_events (
    seq      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id  VARBINARY(255) NOT NULL,
    kind     VARBINARY(64) NOT NULL,
    item_seq BIGINT NOT NULL,
    category VARBINARY(255) NOT NULL DEFAULT '',
    at       BIGINT NOT NULL,
    INDEX inbox_events_by_user (user_id, seq)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS otp_codes (
    recipient    VARBINARY(2048) NOT NULL PRIMARY KEY,
    code_mac     VARBINARY(255) NOT NULL,
    channel      VARBINARY(255) NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    used_at      BIGINT NOT NULL DEFAULT 0,
    window_start BIGINT NOT NULL,
    window_sends BIGINT NOT NULL,
    api_key_id   VARBINARY(255) NOT NULL DEFAULT ''
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS identities (
    user_id  VARBINARY(255) NOT NULL,
    channel  VARBINARY(255) NOT NULL,
    address  VARBINARY(2048) NOT NULL,
    added_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, channel, address),
    INDEX identities_by_address (channel, address)
) ENGINE = InnoDB)sql",
    R"sql(CREATE TABLE IF NOT EXISTS notify_writer (
    id      TINYINT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
) ENGINE = InnoDB)sql",
    "INSERT IGNORE INTO notify_writer (id, version) VALUES (1, 0)",
};

// Holds a named lock of the server while it lives.
class MigrationLock {
  public:
    MigrationLock(Db& db, util::Millis wait) : db_(db) {
        Stmt take(db, "SELECT GET_LOCK('notify.migrate', ?)");
        take.bind(1, std::max<std::int64_t>(1, (wait + 999) / 1000));
        const auto got = take.first([](Stmt& s) { return s.integer(0); });
        if (!got || *got != 1)
            throw StoreFailure{SQLITE_BUSY,
                               "another process is migrating the store's schema; try again"};
    }
    ~MigrationLock() {
        try {
            Stmt(db_, "SELECT RELEASE_LOCK('notify.migrate')").run();
        } catch (const StoreFailure&) {
            // Released by the server when the connection ends.
        }
    }
    MigrationLock(const MigrationLock&) = delete;
    MigrationLock& operator=(const MigrationLock&) = delete;

  private:
    Db& db_;
};

}  // namespace

int mariadb_schema_version(Db& db) {
    Stmt known(db,
               "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
               "AND table_name = 'notify_schema'");
    if (known.first([](Stmt& s) { return s.integer(0); }).value_or(0) == 0) return 0;
    Stmt version(db, "SELECT version FROM notify_schema WHERE id = 1");
    return static_cast<int>(version.first([](Stmt& s) { return s.integer(0); }).value_or(0));
}

int require_mariadb_schema(Db& db) {
    const int found = mariadb_schema_version(db);
    const int newest = newest_schema_version();
    if (found != newest)
        throw StoreFailure{SQLITE_ERROR, "its schema is version " + std::to_string(found) +
                                             ", this build reads version " +
                                             std::to_string(newest)};
    return found;
}

void migrate_mariadb(Db& db, util::Millis lock_wait) {
    MigrationLock lock(db, lock_wait);
    const int found = mariadb_schema_version(db);
    refuse_newer_schema(found);
    // Statements that define tables commit on their own: each is written so
    // that running it again after a failure halfway changes nothing.
    auto reached = [&](int version) {
        const std::string mark =
            "REPLACE INTO notify_schema (id, version) VALUES (1, " + std::to_string(version) + ")";
        exec(db, mark.c_str());
    };
    if (found < kBaselineVersion) {
        for (const char* statement : kBaseline) exec(db, statement);
        exec(db,
             "CREATE TABLE IF NOT EXISTS notify_schema (id TINYINT NOT NULL PRIMARY KEY, "
             "version INT NOT NULL) ENGINE = InnoDB");
        reached(kBaselineVersion);
    }
    constexpr int kKnown = kBaselineVersion + static_cast<int>(std::size(kLater));
    for (int v = std::max(found, kBaselineVersion); v < newest_schema_version(); ++v) {
        if (v >= kKnown)
            throw StoreFailure{SQLITE_INTERNAL, "no MariaDB migration to schema version " +
                                                    std::to_string(v + 1) + " in this build"};
        exec(db, kLater[v - kBaselineVersion]);
        reached(v + 1);
    }
}

}  // namespace notify::store
