// rollup_store.cpp - rollups in the store; see rollup_store.hpp.
#include "store/rollup_store.hpp"

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "store/fanout_rows.hpp"
#include "store/multi_row.hpp"
#include "store/rollup_bucket.hpp"
#include "store/sqlite_db.hpp"
#include "util/bounded_map.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::store {

namespace {

constexpr int kReplayChunk = 10000;
constexpr std::size_t kSpillRows = 200000;
constexpr std::size_t kFactsKept = 100000;

const char* const kDeliverySeq = "rollup.delivery_seq";
const char* const kEventSeq = "rollup.event_seq";
const char* const kGeneration = "rollup.generation";
const char* const kPairsSince = "rollup.pairs_since";

std::int64_t to_int(const std::string& text, std::int64_t otherwise) {
    if (text.empty()) return otherwise;
    try {
        return std::stoll(text);
    } catch (...) {
        return otherwise;
    }
}

// The provider named in an event's text ("provider=NAME ..."), for events
// written before events had a provider of their own.
std::string provider_in(const std::string& detail) {
    auto at = detail.find("provider=");
    if (at == std::string::npos) return {};
    at += 9;
    return detail.substr(at, detail.find(' ', at) - at);
}

// The row of both packed rows (store/rollup_bucket.hpp). A stored row that
// does not read back is replaced rather than the batch lost with it, and said
// so: `report --rebuild` counts it again.
std::string merged_row(std::string_view stored, std::string_view added) {
    auto merged = merge_buckets(stored, added);
    if (merged) return std::move(*merged);
    NLOG(warning, "",
         "a stored rollup row does not read; replaced by what is counted now "
         "('notifyctl report --rebuild' counts it again)");
    return std::string(added);
}

// On SQLite packed rows are added up in SQL by this function, so that a row
// is written with one upsert: notify_rollup_merge(a, b) is merged_row(a, b).
// Nothing may be thrown through SQLite's frames.
void rollup_merge(sqlite3_context* ctx, int, sqlite3_value** argv) try {
    auto bytes = [](sqlite3_value* v) {
        const void* p = sqlite3_value_blob(v);
        return p ? std::string_view(static_cast<const char*>(p),
                                    static_cast<std::size_t>(sqlite3_value_bytes(v)))
                 : std::string_view();
    };
    const std::string out = merged_row(bytes(argv[0]), bytes(argv[1]));
    sqlite3_result_blob(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
} catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
} catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
}

Db& with_functions(Db& db) {
    if (db.dialect() != Dialect::sqlite) return db;
    const int rc = sqlite3_create_function_v2(sqlite_handle(db), "notify_rollup_merge", 2,
                                              SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                                              rollup_merge, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw StoreFailure{rc, "cannot register notify_rollup_merge"};
    return db;
}

}  // namespace

struct RollupStore::Statements {
    explicit Statements(Db& db)
        : mariadb(db.dialect() == Dialect::mariadb),
          // On MariaDB the stored row is read (and locked), merged here and
          // written whole.
          put(db, mariadb ? "REPLACE INTO rollup_buckets (generation, resolution, dimension, "
                            "bucket, data) VALUES (?,?,?,?,?)"
                          : "INSERT INTO rollup_buckets (generation, resolution, dimension, "
                            "bucket, data) VALUES (?,?,?,?,?) ON CONFLICT (generation, "
                            "resolution, dimension, bucket) DO UPDATE SET data = "
                            "notify_rollup_merge(data, excluded.data)"),
          stored(mariadb ? Stmt(db,
                                "SELECT data FROM rollup_buckets WHERE generation = ? AND "
                                "resolution = ? AND dimension = ? AND bucket = ? FOR UPDATE")
                         : Stmt()),
          max_delivery(db, "SELECT COALESCE(MAX(seq), 0) FROM deliveries"),
          max_event(db, "SELECT COALESCE(MAX(seq), 0) FROM events"),
          new_deliveries(db,
                         "SELECT seq, created_at, channel, priority, notification_id FROM "
                         "deliveries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?"),
          new_events(db,
                     "SELECT e.seq, e.at, e.type, e.provider, e.reason, e.size, e.detail, "
                     "d.created_at, d.channel, d.priority, d.notification_id FROM events e "
                     "JOIN deliveries d ON d.id = e.delivery_id WHERE e.seq > ? AND e.seq <= ? "
                     "AND e.type IN ('sent', 'delivered', 'read', 'clicked', 'retry', 'failed', "
                     "'expired', 'suppressed', 'canceled') ORDER BY e.seq LIMIT ?"),
          notifications(MultiRow::select(
              db, "SELECT id, template, module, category, recipients FROM notifications", "id")),
          buckets(db,
                  "SELECT bucket, data FROM rollup_buckets WHERE generation=? AND resolution=? "
                  "AND dimension=? AND bucket >= ? AND bucket < ? ORDER BY bucket") {}
    bool mariadb;
    Stmt put, stored, max_delivery, max_event, new_deliveries, new_events;
    MultiRow notifications;  // their dimensions, for many at once
    Stmt buckets;
    // While a rebuild writes its new generation, which it emptied first, on
    // MariaDB: the rows written so far. Any other row is new, and is written
    // without reading it first (a round trip saved on each).
    std::optional<std::unordered_set<std::string>> rebuilt;
};

namespace {

// A delivery's acceptance or an event, as replay() reads it, before its
// notification's dimensions are known.
struct ReplayRow {
    std::string notification_id;
    Millis at = 0;
    std::string status, channel, provider, reason;
    Priority priority = Priority::medium;
    std::int64_t size = -1;
    Millis latency = -1;
};

// Forgets the rows of a rebuild however it ends.
struct RebuildRows {
    explicit RebuildRows(std::optional<std::unordered_set<std::string>>& rows) : rows_(rows) {
        rows_.emplace();
    }
    ~RebuildRows() { rows_.reset(); }
    RebuildRows(const RebuildRows&) = delete;
    RebuildRows& operator=(const RebuildRows&) = delete;

  private:
    std::optional<std::unordered_set<std::string>>& rows_;
};

}  // namespace

RollupStore::RollupStore(Store& store)
    : store_(store), st_(std::make_unique<Statements>(with_functions(store.handle()))) {}

RollupStore::~RollupStore() = default;

bool RollupStore::has_marks() {
    return !read_setting(store_.handle(), kGeneration).empty();
}

RollupMarks RollupStore::marks() {
    Db& db = store_.handle();
    return RollupMarks{to_int(read_setting(db, kDeliverySeq), 0),
                       to_int(read_setting(db, kEventSeq), 0),
                       to_int(read_setting(db, kGeneration), 1)};
}

void RollupStore::write_marks(const RollupMarks& m) {
    Db& db = store_.handle();
    write_setting(db, kDeliverySeq, std::to_string(m.delivery_seq));
    write_setting(db, kEventSeq, std::to_string(m.event_seq));
    write_setting(db, kGeneration, std::to_string(m.generation));
}

Millis RollupStore::pairs_since() {
    return to_int(read_setting(store_.handle(), kPairsSince), 0);
}

RollupMarks RollupStore::latest() {
    auto& s = *st_;
    RollupMarks m;
    m.delivery_seq = *s.max_delivery.first([](const Stmt& r) { return r.integer(0); });
    m.event_seq = *s.max_event.first([](const Stmt& r) { return r.integer(0); });
    return m;
}

void RollupStore::put(std::int64_t generation, Resolution r, const std::string& dimension,
                      Millis bucket, std::string_view data) {
    std::optional<std::string> row;
    // SQLite merges in the statement itself: nothing to read, nothing to remember.
    const bool known_new = st_->mariadb && st_->rebuilt &&
                           st_->rebuilt
                               ->insert(std::to_string(static_cast<int>(r)) + '\n' + dimension +
                                        '\n' + std::to_string(bucket))
                               .second;
    if (st_->mariadb && !known_new) {
        auto held = st_->stored.bind(1, generation)
                        .bind(2, static_cast<std::int64_t>(r))
                        .bind(3, dimension)
                        .bind(4, bucket)
                        .first([](const Stmt& s) { return s.text(0); });
        if (held) row = merged_row(*held, data);
    }
    st_->put.bind(1, generation)
        .bind(2, static_cast<std::int64_t>(r))
        .bind(3, dimension)
        .bind(4, bucket)
        .bind_blob(5, row ? std::string_view(*row) : data);
    st_->put.run();
}

void RollupStore::write(const RollupBatch& batch, std::int64_t generation) {
    batch.each_bucket([&](Resolution r, const std::string& dimension, Millis bucket,
                          std::string_view data) { put(generation, r, dimension, bucket, data); });
}

void RollupStore::write(const PackedRollupRows& rows, std::int64_t generation) {
    for (const auto& row : rows)
        put(generation, row.resolution, row.dimension, row.bucket, row.data);
}

void pack(const RollupBatch& batch, PackedRollupRows& out) {
    batch.each_bucket(
        [&](Resolution r, const std::string& dimension, Millis bucket, std::string_view data) {
            out.push_back({r, dimension, bucket, std::string(data)});
        });
}

void RollupStore::replay(const RollupMarks& from, const RollupMarks& to, RollupBatch& batch,
                         const std::function<void(RollupBatch&)>& spill) {
    auto& s = *st_;
    util::BoundedMap<RollupDims> facts(kFactsKept);  // notification id -> its dimensions
    // The dimensions of a chunk's notifications not known yet, read for many
    // at once (one not in the store has none): a read each cost a round trip
    // per new notification on a server.
    std::vector<ReplayRow> chunk;
    auto fold_chunk = [&] {
        std::unordered_map<std::string, RollupDims> dims;  // of the chunk's notifications
        std::vector<std::string> ids;                      // those not known yet
        for (const ReplayRow& row : chunk) {
            const std::string& id = row.notification_id;
            if (dims.count(id)) continue;
            const RollupDims* known = facts.find(id);
            dims.emplace(id, known ? *known : RollupDims{});
            if (!known) ids.push_back(id);
        }
        s.notifications.read(
            ids.size(), [&](Stmt& st, int p, std::size_t i) { st.bind(p, ids[i]); },
            [&](const Stmt& r) {
                RollupDims& d = dims[r.text(0)];
                d.template_name = r.text(1);
                d.module = r.text(2);
                d.category = r.text(3);
                d.groups = report_groups(r.text(4));
            });
        for (const std::string& id : ids) facts.put(id, dims[id]);
        for (const ReplayRow& row : chunk) {
            RollupFold f = fold_of(dims[row.notification_id]);
            f.at = row.at;
            f.status = row.status;
            f.channel = row.channel;
            f.provider = row.provider;
            f.reason = row.reason;
            f.priority = row.priority;
            f.size = row.size;
            f.latency = row.latency;
            batch.add(f);
        }
        chunk.clear();
        if (batch.rows() >= kSpillRows && spill) spill(batch);
    };
    for (std::int64_t after = from.delivery_seq; after < to.delivery_seq;) {
        std::int64_t last = after;
        s.new_deliveries.bind(1, after).bind(2, to.delivery_seq).bind(3, kReplayChunk);
        while (s.new_deliveries.step()) {
            last = s.new_deliveries.integer(0);
            ReplayRow& row = chunk.emplace_back();
            row.notification_id = s.new_deliveries.text(4);
            row.at = s.new_deliveries.integer(1);
            row.status = "accepted";
            row.channel = s.new_deliveries.text(2);
            row.priority = static_cast<Priority>(s.new_deliveries.integer(3));
        }
        s.new_deliveries.reset();
        if (last == after) break;
        after = last;
        fold_chunk();
    }
    for (std::int64_t after = from.event_seq; after < to.event_seq;) {
        std::int64_t last = after;
        auto& e = s.new_events;
        e.bind(1, after).bind(2, to.event_seq).bind(3, kReplayChunk);
        while (e.step()) {
            last = e.integer(0);
            ReplayRow& row = chunk.emplace_back();
            row.notification_id = e.text(10);
            row.at = e.integer(1);
            row.status = e.text(2);
            row.provider = e.text(3);
            if (row.provider.empty()) row.provider = provider_in(e.text(6));
            row.reason = e.text(4);
            row.channel = e.text(8);
            row.priority = static_cast<Priority>(e.integer(9));
            if (row.status == "sent") {
                row.size = e.integer(5);
                row.latency = row.at - e.integer(7);
            }
        }
        e.reset();
        if (last == after) break;
        after = last;
        fold_chunk();
    }
}

Expected<RollupMarks> RollupStore::rebuild() {
    Db& db = store_.handle();
    RollupMarks next;
    Status st = in_transaction(db, [&] {
        next = latest();
        next.generation = marks().generation + 1;
        Stmt clear(db, "DELETE FROM rollup_buckets WHERE generation >= ?");
        clear.bind(1, next.generation).run();
        return ok();
    });
    if (!st) return st.error();
    const RebuildRows rows(st_->rebuilt);
    RollupBatch batch;
    auto write_out = [&](RollupBatch& b) {
        Status w = in_transaction(db, [&] {
            write(b, next.generation);
            return ok();
        });
        if (!w) throw StoreFailure{SQLITE_ERROR, w.error().message};
        b.clear();
    };
    try {
        replay(RollupMarks{0, 0, 0}, next, batch, write_out);
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
    st = in_transaction(db, [&] {
        write(batch, next.generation);
        write_marks(next);
        // The new generation has the rows of pairs of everything.
        Stmt pairs(db, "DELETE FROM settings WHERE `key` = ?");
        pairs.bind(1, kPairsSince).run();
        return ok();
    });
    if (!st) return st.error();
    // The old generation is read by nobody now.
    st = in_transaction(db, [&] {
        Stmt old(db, "DELETE FROM rollup_buckets WHERE generation < ?");
        old.bind(1, next.generation).run();
        return ok();
    });
    if (!st) return st.error();
    return next;
}

Status RollupStore::read_buckets(std::int64_t generation, Resolution r,
                                 const std::string& dimension, Millis from, Millis to,
                                 const std::function<void(Millis, std::string_view)>& each) {
    auto& s = st_->buckets;
    try {
        s.bind(1, generation)
            .bind(2, static_cast<std::int64_t>(r))
            .bind(3, dimension)
            .bind(4, from)
            .bind(5, to);
        while (s.step()) each(s.integer(0), s.blob(1));
        s.reset();
        return ok();
    } catch (const StoreFailure& f) {
        s.reset();
        return to_error(f);
    } catch (...) {
        s.reset();  // not left open over the snapshot it reads
        throw;
    }
}

}  // namespace notify::store
