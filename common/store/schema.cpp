#include "store/schema.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <string>

#include "store/db.hpp"
#include "store/schema_mariadb.hpp"

namespace notify::store {

namespace {

// Append only: a released migration is never edited.
const char* const kMigrations[] = {
    // 1: notifications, deliveries, the activity log, idempotency, API keys.
    R"sql(
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    recipients      TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    html            TEXT NOT NULL DEFAULT '',
    template        TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '',
    locale          TEXT NOT NULL DEFAULT '',
    priority        INTEGER NOT NULL,
    send_at         INTEGER NOT NULL DEFAULT 0,
    expires_at      INTEGER NOT NULL DEFAULT 0,
    category        TEXT NOT NULL DEFAULT '',
    module          TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT ''
);
CREATE TABLE deliveries (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    notification_id     TEXT NOT NULL,
    channel             TEXT NOT NULL,
    recipient           TEXT NOT NULL DEFAULT '',
    priority            INTEGER NOT NULL,
    state               TEXT NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    next_attempt_at     INTEGER NOT NULL DEFAULT 0,
    expires_at          INTEGER NOT NULL DEFAULT 0,
    provider            TEXT NOT NULL DEFAULT '',
    provider_message_id TEXT NOT NULL DEFAULT '',
    last_error          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_by_notification ON deliveries (notification_id);
CREATE INDEX deliveries_by_state ON deliveries (state);
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL,
    at          INTEGER NOT NULL,
    type        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_delivery ON events (delivery_id);
CREATE TABLE idempotency (
    key             TEXT PRIMARY KEY,
    notification_id TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0
);
)sql",
    // 2: versioned templates. Every change is a new version; a removal is a version
    // marked deleted, so history is never lost.
    R"sql(
CREATE TABLE templates (
    name       TEXT NOT NULL,
    channel    TEXT NOT NULL DEFAULT '',
    locale     TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT '',
    html       TEXT NOT NULL DEFAULT '',
    params     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    author     TEXT NOT NULL DEFAULT '',
    deleted    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, channel, locale, version)
);
)sql",
    // 3: the user directory (users, their identities per channel, groups and their
    // members), preferences, unsubscribed addresses, fan-outs of sends to users and
    // groups, and settings the daemons share. Deliveries learn the user and locale
    // they were made for.
    R"sql(
CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    locale     TEXT NOT NULL DEFAULT '',
    timezone   TEXT NOT NULL DEFAULT '',
    module     TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '',
    unsubscribed_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX users_by_email ON users (email);
CREATE INDEX users_by_phone ON users (phone);
CREATE TABLE identities (
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (user_id, channel)
) WITHOUT ROWID;
CREATE INDEX identities_by_address ON identities (channel, address);
CREATE TABLE groups (
    name              TEXT PRIMARY KEY,
    description       TEXT NOT NULL DEFAULT '',
    requires_approval INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL
);
CREATE TABLE group_members (
    group_name TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (group_name, user_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (user_id);
CREATE TABLE preferences (
    user_id    TEXT NOT NULL,
    category   TEXT NOT NULL DEFAULT '',
    channel    TEXT NOT NULL DEFAULT '',
    opted_out  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, category, channel)
) WITHOUT ROWID;
CREATE TABLE unsubscribed_addresses (
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    category   TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel, address, category)
) WITHOUT ROWID;
CREATE TABLE fanouts (
    notification_id TEXT PRIMARY KEY,
    targets    TEXT NOT NULL,
    state      TEXT NOT NULL,
    total      INTEGER NOT NULL DEFAULT 0,
    expanded   INTEGER NOT NULL DEFAULT 0,
    cursor     TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at INTEGER NOT NULL DEFAULT 0,
    reason     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX fanouts_by_state ON fanouts (state);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
ALTER TABLE notifications ADD COLUMN payload TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN locale TEXT NOT NULL DEFAULT '';
CREATE INDEX deliveries_by_created ON deliveries (created_at);
)sql",
    // 4: ownership between API keys. A notification names the key that made it
    // (older ones are given the key of their source's name; "cli" was the ipc
    // socket, now "local"); idempotency keys are scoped per API key; a key may
    // carry its own rate limits ("" and -1: the [api] defaults); admin actions
    // are kept in an audit log.
    R"sql(
ALTER TABLE notifications ADD COLUMN api_key_id TEXT NOT NULL DEFAULT '';
UPDATE notifications SET source = 'local' WHERE source = 'cli';
UPDATE notifications SET api_key_id = COALESCE(
    (SELECT k.id FROM api_keys k WHERE k.name = notifications.source ORDER BY k.created_at
     LIMIT 1), source);
CREATE TABLE idempotency_scoped (
    api_key_id      TEXT NOT NULL,
    key             TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (api_key_id, key)
) WITHOUT ROWID;
INSERT OR REPLACE INTO idempotency_scoped
    SELECT COALESCE(n.api_key_id, ''), i.key, i.notification_id, i.request_hash, i.created_at
    FROM idempotency i LEFT JOIN notifications n ON n.id = i.notification_id;
DROP TABLE idempotency;
ALTER TABLE idempotency_scoped RENAME TO idempotency;
ALTER TABLE api_keys ADD COLUMN rate_limit TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN recipients_per_day INTEGER NOT NULL DEFAULT -1;
CREATE TABLE audit (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_at ON audit (at);
)sql",
    // 5: no index of notifications by key. It cost each accept about 4% (one
    // more b-tree page written per commit); a send key's listing filters the
    // newest-first id order, as the channel and module filters do. Stores
    // that were given it by an earlier form of migration 4 lose it here.
    R"sql(
DROP INDEX IF EXISTS notifications_by_key;
)sql",
    // 6: reports. An event names the provider of its attempt, the short reason
    // of a failure or suppression, and the bytes sent; rollups count what
    // happened per minute, hour and day, per status alone and per status and
    // one dimension (store/rollup.hpp), rows of one generation at a time (a
    // rebuild writes the next and then switches).
    R"sql(
ALTER TABLE events ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN size INTEGER NOT NULL DEFAULT -1;
CREATE TABLE rollups (
    generation  INTEGER NOT NULL,
    resolution  INTEGER NOT NULL,
    dimension   TEXT NOT NULL,
    bucket      INTEGER NOT NULL,
    status      TEXT NOT NULL,
    value       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    count       INTEGER NOT NULL,
    size_sum    INTEGER NOT NULL,
    size_hist   TEXT NOT NULL,
    latency_sum INTEGER NOT NULL,
    latency_hist TEXT NOT NULL,
    PRIMARY KEY (generation, resolution, dimension, bucket, status, value, reason)
) WITHOUT ROWID;
CREATE TABLE rollup_series (
    generation  INTEGER NOT NULL,
    resolution  INTEGER NOT NULL,
    bucket      INTEGER NOT NULL,
    status      TEXT NOT NULL,
    count       INTEGER NOT NULL,
    size_sum    INTEGER NOT NULL,
    size_hist   TEXT NOT NULL,
    latency_sum INTEGER NOT NULL,
    latency_hist TEXT NOT NULL,
    peak        INTEGER NOT NULL,
    peak_at     INTEGER NOT NULL,
    PRIMARY KEY (generation, resolution, bucket, status)
) WITHOUT ROWID;
)sql",
    // 7: receipts. A provider's receipt names a delivery by the id the provider
    // gave it; only deliveries that have one are in the index, so an accept
    // writes nothing more.
    R"sql(
CREATE INDEX deliveries_by_provider_message ON deliveries (provider, provider_message_id)
    WHERE provider_message_id != '';
)sql",
    // 8: the dashboard finds notifications by the directory user they went to
    // and by template. Partial: a send to a raw address without a template
    // writes neither.
    R"sql(
CREATE INDEX deliveries_by_user ON deliveries (user_id, notification_id) WHERE user_id != '';
CREATE INDEX notifications_by_template ON notifications (template, id) WHERE template != '';
)sql",
    // 9: rollups packed, a row per resolution, dimension and bucket holding
    // every value, status and reason (store/rollup_bucket.hpp): a month by
    // minute reads 43,200 rows rather than one per status and value. The
    // marks go: the router counts from its start on, and `notifyctl report
    // --rebuild` counts what came before (the router says so when it starts; at
    // 10,000,000 deliveries that is minutes, not something to do before a
    // router may dispatch). The old tables stay, unread, so that a router of
    // the release before, still running while the others are upgraded, can
    // still commit its transitions; a later migration drops them.
    R"sql(
CREATE TABLE rollup_buckets (
    generation  INTEGER NOT NULL,
    resolution  INTEGER NOT NULL,
    dimension   TEXT NOT NULL,
    bucket      INTEGER NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (generation, resolution, dimension, bucket)
) WITHOUT ROWID;
DELETE FROM settings WHERE key IN ('rollup.delivery_seq', 'rollup.event_seq', 'rollup.generation');
)sql",
    // 10: reports by two dimensions at once read rows of pairs of dimensions
    // (store/rollup.hpp), which rollups counted before now lack: they count
    // whole from the next minute on, and `notifyctl report --rebuild` counts
    // them for what came before. The old rollup tables of schema 6 go.
    R"sql(
INSERT INTO settings (key, value)
    SELECT 'rollup.pairs_since',
           CAST((CAST(strftime('%s', 'now') AS INTEGER) / 60 + 1) * 60000 AS TEXT)
    WHERE EXISTS (SELECT 1 FROM rollup_buckets);
DROP TABLE IF EXISTS rollups;
DROP TABLE IF EXISTS rollup_series;
)sql",
    // 11: receipts, opens and clicks that came before the send they are of
    // wait in the store too, so that a router that stops or dies does not lose
    // what the vendor or the reader was told was taken (store/early_receipts.hpp).
    R"sql(
CREATE TABLE early_receipts (
    kind   TEXT NOT NULL,     -- receipt or tracking
    key    TEXT NOT NULL,     -- what it waits under
    note   TEXT NOT NULL,     -- JSON: provider, message_id, delivery_id, status, code, detail
    until  INTEGER NOT NULL,  -- ms since epoch; forgotten after
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
)sql",
    // 12: schedules, the recurring sends the router fires, and what became of
    // each firing (store/schedule_store.hpp).
    R"sql(
CREATE TABLE schedules (
    name         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,               -- cron, every or at
    spec         TEXT NOT NULL,               -- the cron expression, the period or the instant (ms)
    timezone     TEXT NOT NULL DEFAULT '',
    anchor       INTEGER NOT NULL DEFAULT 0,  -- every: firings at anchor + k * period
    until        INTEGER NOT NULL DEFAULT 0,  -- 0: no end
    misfire      TEXT NOT NULL DEFAULT 'once',
    paused       INTEGER NOT NULL DEFAULT 0,
    notification TEXT NOT NULL,               -- the send, as POST /v1/notifications takes it
    api_key_id   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    next_at      INTEGER NOT NULL DEFAULT 0,  -- the next firing; 0: none is left
    last_at      INTEGER NOT NULL DEFAULT 0   -- the last firing handled
) WITHOUT ROWID;
CREATE TABLE schedule_firings (
    schedule        TEXT NOT NULL,
    at              INTEGER NOT NULL,            -- the firing's time (the first of a run missed)
    handled_at      INTEGER NOT NULL,
    outcome         TEXT NOT NULL,               -- made, missed or refused
    firings         INTEGER NOT NULL DEFAULT 1,  -- how many firings the row stands for
    notification_id TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule, at)
) WITHOUT ROWID;
CREATE INDEX schedule_firings_notification ON schedule_firings (notification_id)
    WHERE notification_id <> '';
)sql",
    // 13: holds. A notification may be bulk (sent as bulk, or to
    // calendar.bulk_min recipients or more), which the router holds at low
    // priority during working hours; a user may keep quiet hours ('': those of
    // preferences.quiet_hours, 'off': none, else HH:MM[:SS]-HH:MM[:SS] in the
    // user's zone).
    R"sql(
ALTER TABLE notifications ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN quiet_hours TEXT NOT NULL DEFAULT '';
CREATE INDEX users_with_quiet_hours ON users (id) WHERE quiet_hours NOT IN ('', 'off');
)sql",
    // 14: the in-app inbox. Each delivery on an inbox channel is an item of its
    // user's inbox, written by the router in the commit that marks it sent;
    // its seen, read and archived times change as the user's devices say.
    // inbox_events is what the open streams follow: every new item and every
    // change, in order, kept a while so a stream resumes (Last-Event-ID).
    R"sql(
CREATE TABLE inbox_items (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order items came in; the page cursor
    id              TEXT NOT NULL UNIQUE,  -- the delivery's id
    user_id         TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    channel         TEXT NOT NULL,
    category        TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    seen_at         INTEGER NOT NULL DEFAULT 0,
    read_at         INTEGER NOT NULL DEFAULT 0,
    archived_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbox_items_by_user ON inbox_items (user_id, seq);
CREATE INDEX inbox_items_unread ON inbox_items (user_id) WHERE read_at = 0 AND archived_at = 0;
CREATE TABLE inbox_events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, also once pruned
    user_id  TEXT NOT NULL,
    kind     TEXT NOT NULL,              -- new, seen, read, unread, archived, unarchived, read_all
    item_seq INTEGER NOT NULL,           -- 0 for read_all
    category TEXT NOT NULL DEFAULT '',   -- read_all: the category it marked ('': every one)
    at       INTEGER NOT NULL
);
)sql",
    // 15: a stream that comes back reads its user's events since its last one
    // by user, not every user's since then.
    R"sql(
CREATE INDEX inbox_events_by_user ON inbox_events (user_id, seq);
)sql",
    // 16: one-time codes. One row per recipient (the `to` a code went to):
    // the keyed MAC of its latest code, never the code; its expiry, attempts
    // and use; and the codes sent to it in the current hour.
    R"sql(
CREATE TABLE otp_codes (
    recipient    TEXT PRIMARY KEY,
    code_mac     BLOB NOT NULL,
    channel      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    used_at      INTEGER NOT NULL DEFAULT 0,
    window_start INTEGER NOT NULL,
    window_sends INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 17: a code is verified only with the API key that sent it (the key's id,
    // or the principal's name without a key: "http", "local"; '' for codes
    // stored before, which only an admin key or the local socket checks).
    R"sql(
ALTER TABLE otp_codes ADD COLUMN api_key_id TEXT NOT NULL DEFAULT '';
)sql",
    // 18: several addresses of a user on one channel (a phone and a tablet, two
    // browsers), each with when it was added (the oldest goes past the limit).
    R"sql(
CREATE TABLE identities_by_device (
    user_id  TEXT NOT NULL,
    channel  TEXT NOT NULL,
    address  TEXT NOT NULL,
    added_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, channel, address)
) WITHOUT ROWID;
INSERT INTO identities_by_device (user_id, channel, address)
    SELECT user_id, channel, address FROM identities;
DROP TABLE identities;
ALTER TABLE identities_by_device RENAME TO identities;
CREATE INDEX identities_by_address ON identities (channel, address);
)sql",
    // 19: nothing here (SQLite's text has no length): on MariaDB, a
    // notification's locale and category (wherever a category is kept), and
    // its template's name, as long as the API takes them (256 bytes).
    R"sql(
SELECT 1;
)sql",
    // 20: the processes of a cluster (store/cluster_members.hpp), each announcing
    // itself every few seconds by the store's clock.
    R"sql(
CREATE TABLE cluster_members (
    id         TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    host       TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL,
    stopped_at INTEGER NOT NULL DEFAULT 0,
    detail     TEXT NOT NULL
) WITHOUT ROWID;
)sql",
    // 21: which router delivers (store/router_leases.hpp): a lease per
    // partition of the deliveries, by the store's clock.
    R"sql(
CREATE TABLE router_partitions (
    partition_no INTEGER PRIMARY KEY,
    owner        TEXT NOT NULL,
    epoch        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
)sql",
    // 22: the gate's mark per partition (router.gated_seq was one for the
    // store): every delivery of the partition up to it has passed the gate.
    // It starts from the store's.
    R"sql(
ALTER TABLE router_partitions ADD COLUMN gated_seq INTEGER NOT NULL DEFAULT 0;
UPDATE router_partitions SET gated_seq = COALESCE(
    (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'router.gated_seq'), 0);
)sql",
    // 23: the routers claiming partitions (store/router_leases.hpp), each with
    // its count of partitions and until when its last claim counts (the store's clock).
    R"sql(
CREATE TABLE router_claimants (
    owner         TEXT PRIMARY KEY,
    partitions    INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
};

}  // namespace

int newest_schema_version() {
    return static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);
}

int current_schema_version(Db& db) {
    if (db.dialect() == Dialect::mariadb) return mariadb_schema_version(db);
    Stmt s(db, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
}

void refuse_newer_schema(int found) {
    const int newest = newest_schema_version();
    if (found > newest)
        throw StoreFailure{SQLITE_CANTOPEN,
                           "the store's schema is version " + std::to_string(found) +
                               ", newer than this build knows (" + std::to_string(newest) +
                               "); run the newer notify or restore a backup"};
}

void migrate(Db& db, int up_to) {
    refuse_newer_schema(current_schema_version(db));
    const int all = newest_schema_version();
    const int target = up_to < 0 ? all : std::min(up_to, all);
    for (int v = current_schema_version(db); v < target; ++v) {
        Transaction tx(db);
        // Another process may have migrated while this one waited for the lock.
        if (current_schema_version(db) > v) continue;
        exec(db, kMigrations[v]);
        exec(db, ("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
        tx.commit();
    }
}

}  // namespace notify::store
