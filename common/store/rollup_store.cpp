// rollup_store.cpp - rollups in the store; see rollup_store.hpp.
#include "store/rollup_store.hpp"

#include <unordered_map>

#include "store/fanout_rows.hpp"
#include "store/sqlite.hpp"
#include "util/strings.hpp"

namespace notify::store {

namespace {

constexpr int kReplayChunk = 10000;
constexpr std::size_t kSpillRows = 200000;
constexpr std::size_t kFactsKept = 100000;

const char* const kDeliverySeq = "rollup.delivery_seq";
const char* const kEventSeq = "rollup.event_seq";
const char* const kGeneration = "rollup.generation";

std::int64_t to_int(const std::string& text, std::int64_t otherwise) {
    if (text.empty()) return otherwise;
    try {
        return std::stoll(text);
    } catch (...) {
        return otherwise;
    }
}

util::Histogram histogram(std::string_view text) {
    if (text.empty()) return {};
    auto h = util::Histogram::decode(text);
    return h ? std::move(*h) : util::Histogram();
}

Figures read_figures(const Stmt& s, int first) {
    Figures f;
    f.count = s.integer(first);
    f.size_sum = s.integer(first + 1);
    f.size = histogram(s.view(first + 2));
    f.latency_sum = s.integer(first + 3);
    f.latency = histogram(s.view(first + 4));
    return f;
}

// Binds the figures at `first` .. `first + 4`.
void bind_figures(Stmt& s, int first, const Figures& f) {
    s.bind(first, f.count)
        .bind(first + 1, f.size_sum)
        .bind(first + 2, f.size.encode())
        .bind(first + 3, f.latency_sum)
        .bind(first + 4, f.latency.encode());
}

// Binds generation, resolution, dimension, bucket, status, value and reason, 1 to 7.
void bind_row_key(Stmt& s, std::int64_t generation, const RollupRow& r) {
    s.bind(1, generation)
        .bind(2, static_cast<std::int64_t>(r.resolution))
        .bind(3, r.dimension)
        .bind(4, r.bucket)
        .bind(5, r.status)
        .bind(6, r.value)
        .bind(7, r.reason);
}

// The provider named in an event's text ("provider=NAME ..."), for events
// written before events had a provider of their own.
std::string provider_in(const std::string& detail) {
    auto at = detail.find("provider=");
    if (at == std::string::npos) return {};
    at += 9;
    return detail.substr(at, detail.find(' ', at) - at);
}

// Histograms are added up in SQL by this function, so that a row is written
// with one upsert: notify_histogram_merge(a, b) is the histogram of both
// (text forms, util/histogram.hpp); one that does not read back counts as empty.
void histogram_merge(sqlite3_context* ctx, int, sqlite3_value** argv) {
    auto text = [](sqlite3_value* v) {
        const unsigned char* p = sqlite3_value_text(v);
        return p ? std::string_view(reinterpret_cast<const char*>(p),
                                    static_cast<std::size_t>(sqlite3_value_bytes(v)))
                 : std::string_view();
    };
    const std::string_view a = text(argv[0]), b = text(argv[1]);
    if (a.empty() || b.empty()) {
        const std::string_view one = a.empty() ? b : a;
        sqlite3_result_text(ctx, one.data() ? one.data() : "", static_cast<int>(one.size()),
                            SQLITE_TRANSIENT);
        return;
    }
    util::Histogram h = histogram(a);
    h.merge(histogram(b));
    const std::string merged = h.encode();
    sqlite3_result_text(ctx, merged.data(), static_cast<int>(merged.size()), SQLITE_TRANSIENT);
}

// What an upsert adds to a row that is there.
const std::string kAddFigures =
    "count = count + excluded.count, size_sum = size_sum + excluded.size_sum, "
    "size_hist = notify_histogram_merge(size_hist, excluded.size_hist), "
    "latency_sum = latency_sum + excluded.latency_sum, "
    "latency_hist = notify_histogram_merge(latency_hist, excluded.latency_hist)";

sqlite3* with_functions(sqlite3* db) {
    sqlite3_create_function_v2(db, "notify_histogram_merge", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                               nullptr, histogram_merge, nullptr, nullptr, nullptr);
    return db;
}

}  // namespace

struct RollupStore::Statements {
    explicit Statements(sqlite3* db)
        : put_row(db,
                  "INSERT INTO rollups (generation, resolution, dimension, bucket, status, "
                  "value, reason, count, size_sum, size_hist, latency_sum, latency_hist) VALUES "
                  "(?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (generation, resolution, dimension, "
                  "bucket, status, value, reason) DO UPDATE SET " +
                      kAddFigures),
          put_series(db,
                     "INSERT INTO rollup_series (generation, resolution, bucket, status, count, "
                     "size_sum, size_hist, latency_sum, latency_hist, peak, peak_at) VALUES "
                     "(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (generation, resolution, bucket, "
                     "status) DO UPDATE SET " +
                         kAddFigures +
                         ", peak_at = CASE WHEN excluded.peak > peak OR (excluded.peak = peak AND "
                         "excluded.peak_at < peak_at) THEN excluded.peak_at ELSE peak_at END, "
                         "peak = max(peak, excluded.peak)"),
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
          notification(db,
                       "SELECT template, module, category, recipients FROM notifications WHERE "
                       "id = ?"),
          rows(db,
               "SELECT bucket, status, value, reason, count, size_sum, size_hist, latency_sum, "
               "latency_hist FROM rollups WHERE generation=? AND resolution=? AND dimension=? "
               "AND bucket >= ? AND bucket < ?"),
          series(db,
                 "SELECT bucket, status, count, size_sum, size_hist, latency_sum, latency_hist, "
                 "peak, peak_at FROM rollup_series WHERE generation=? AND resolution=? AND "
                 "bucket >= ? AND bucket < ?") {}
    Stmt put_row, put_series, max_delivery, max_event, new_deliveries, new_events, notification,
        rows, series;
};

RollupStore::RollupStore(Store& store)
    : store_(store), st_(std::make_unique<Statements>(with_functions(store.handle()))) {}

RollupStore::~RollupStore() = default;

bool RollupStore::has_marks() {
    return !read_setting(store_.handle(), kGeneration).empty();
}

RollupMarks RollupStore::marks() {
    sqlite3* db = store_.handle();
    return RollupMarks{to_int(read_setting(db, kDeliverySeq), 0),
                       to_int(read_setting(db, kEventSeq), 0),
                       to_int(read_setting(db, kGeneration), 1)};
}

void RollupStore::write_marks(const RollupMarks& m) {
    sqlite3* db = store_.handle();
    write_setting(db, kDeliverySeq, std::to_string(m.delivery_seq));
    write_setting(db, kEventSeq, std::to_string(m.event_seq));
    write_setting(db, kGeneration, std::to_string(m.generation));
}

RollupMarks RollupStore::latest() {
    auto& s = *st_;
    RollupMarks m;
    m.delivery_seq = *s.max_delivery.first([](const Stmt& r) { return r.integer(0); });
    m.event_seq = *s.max_event.first([](const Stmt& r) { return r.integer(0); });
    return m;
}

void RollupStore::write(const RollupBatch& batch, std::int64_t generation) {
    auto& s = *st_;
    batch.each_row([&](const RollupRow& row) {
        bind_row_key(s.put_row, generation, row);
        bind_figures(s.put_row, 8, row.figures);
        s.put_row.run();
    });
    batch.each_series([&](const SeriesRow& row) {
        s.put_series.bind(1, generation)
            .bind(2, static_cast<std::int64_t>(row.resolution))
            .bind(3, row.bucket)
            .bind(4, row.status);
        bind_figures(s.put_series, 5, row.figures);
        s.put_series.bind(10, row.peak.per_second).bind(11, row.peak.at);
        s.put_series.run();
    });
}

void RollupStore::replay(const RollupMarks& from, const RollupMarks& to, RollupBatch& batch,
                         const std::function<void(RollupBatch&)>& spill) {
    auto& s = *st_;
    std::unordered_map<std::string, RollupDims> facts;  // notification id -> its dimensions
    auto dims_of = [&](const std::string& notification_id) -> const RollupDims& {
        if (auto it = facts.find(notification_id); it != facts.end()) return it->second;
        if (facts.size() >= kFactsKept) facts.clear();
        RollupDims d;
        s.notification.bind(1, notification_id).first([&](const Stmt& r) {
            d.template_name = r.text(0);
            d.module = r.text(1);
            d.category = r.text(2);
            d.groups = report_groups(r.text(3));
            return true;
        });
        return facts.emplace(notification_id, std::move(d)).first->second;
    };
    auto maybe_spill = [&] {
        if (batch.rows() >= kSpillRows && spill) spill(batch);
    };
    for (std::int64_t after = from.delivery_seq; after < to.delivery_seq;) {
        std::int64_t last = after;
        s.new_deliveries.bind(1, after).bind(2, to.delivery_seq).bind(3, kReplayChunk);
        while (s.new_deliveries.step()) {
            last = s.new_deliveries.integer(0);
            const RollupDims& notification = dims_of(s.new_deliveries.text(4));
            const std::string channel = s.new_deliveries.text(2);
            RollupFold f = fold_of(notification);
            f.at = s.new_deliveries.integer(1);
            f.status = "accepted";
            f.channel = channel;
            f.priority = static_cast<Priority>(s.new_deliveries.integer(3));
            batch.add(f);
        }
        s.new_deliveries.reset();
        if (last == after) break;
        after = last;
        maybe_spill();
    }
    for (std::int64_t after = from.event_seq; after < to.event_seq;) {
        std::int64_t last = after;
        auto& e = s.new_events;
        e.bind(1, after).bind(2, to.event_seq).bind(3, kReplayChunk);
        while (e.step()) {
            last = e.integer(0);
            const RollupDims& notification = dims_of(e.text(10));
            const std::string status = e.text(2), reason = e.text(4), channel = e.text(8);
            std::string provider = e.text(3);
            if (provider.empty()) provider = provider_in(e.text(6));
            RollupFold f = fold_of(notification);
            f.at = e.integer(1);
            f.status = status;
            f.provider = provider;
            f.reason = reason;
            f.channel = channel;
            f.priority = static_cast<Priority>(e.integer(9));
            if (f.status == "sent") {
                f.size = e.integer(5);
                f.latency = f.at - e.integer(7);
            }
            batch.add(f);
        }
        e.reset();
        if (last == after) break;
        after = last;
        maybe_spill();
    }
}

Expected<RollupMarks> RollupStore::rebuild() {
    sqlite3* db = store_.handle();
    RollupMarks next;
    Status st = in_transaction(db, [&] {
        next = latest();
        next.generation = marks().generation + 1;
        Stmt clear_rows(db, "DELETE FROM rollups WHERE generation >= ?");
        clear_rows.bind(1, next.generation).run();
        Stmt clear_series(db, "DELETE FROM rollup_series WHERE generation >= ?");
        clear_series.bind(1, next.generation).run();
        return ok();
    });
    if (!st) return st.error();
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
        return ok();
    });
    if (!st) return st.error();
    // The old generation is read by nobody now.
    st = in_transaction(db, [&] {
        Stmt old_rows(db, "DELETE FROM rollups WHERE generation < ?");
        old_rows.bind(1, next.generation).run();
        Stmt old_series(db, "DELETE FROM rollup_series WHERE generation < ?");
        old_series.bind(1, next.generation).run();
        return ok();
    });
    if (!st) return st.error();
    return next;
}

Status RollupStore::read_rows(std::int64_t generation, Resolution r, const std::string& dimension,
                              Millis from, Millis to,
                              const std::function<void(const RollupRow&)>& each) {
    try {
        auto& s = st_->rows;
        s.bind(1, generation)
            .bind(2, static_cast<std::int64_t>(r))
            .bind(3, dimension)
            .bind(4, from)
            .bind(5, to);
        RollupRow row;
        row.resolution = r;
        row.dimension = dimension;
        while (s.step()) {
            row.bucket = s.integer(0);
            row.status = s.view(1);
            row.value = s.view(2);
            row.reason = s.view(3);
            row.figures = read_figures(s, 4);
            each(row);
        }
        s.reset();
        return ok();
    } catch (const StoreFailure& f) {
        st_->rows.reset();
        return to_error(f);
    }
}

Status RollupStore::read_series(std::int64_t generation, Resolution r, Millis from, Millis to,
                                const std::function<void(const SeriesRow&)>& each) {
    try {
        auto& s = st_->series;
        s.bind(1, generation).bind(2, static_cast<std::int64_t>(r)).bind(3, from).bind(4, to);
        SeriesRow row;
        row.resolution = r;
        while (s.step()) {
            row.bucket = s.integer(0);
            row.status = s.text(1);
            row.figures = read_figures(s, 2);
            row.peak = Peak{s.integer(7), s.integer(8)};
            each(row);
        }
        s.reset();
        return ok();
    } catch (const StoreFailure& f) {
        st_->series.reset();
        return to_error(f);
    }
}

}  // namespace notify::store
