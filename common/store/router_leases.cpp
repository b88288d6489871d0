// router_leases.cpp - the statements of the router_partitions table.
#include "store/router_leases.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "store/dialect.hpp"
#include "store/fanout_rows.hpp"
#include "store/fanout_store.hpp"
#include "store/store.hpp"

namespace notify::store {

namespace {

// Every row, read inside the claim's write transaction: locked for it on
// MariaDB, so that two routers claiming at once take turns.
std::string read_rows_sql(Dialect d) {
    return std::string(
               "SELECT partition_no, owner, epoch, expires_at FROM router_partitions "
               "ORDER BY partition_no") +
           (d == Dialect::mariadb ? " FOR UPDATE" : "");
}

std::vector<RouterLease> rows_of(Stmt& s) {
    return s.collect([](const Stmt& r) {
        return RouterLease{static_cast<int>(r.integer(0)), r.text(1), r.integer(2), r.integer(3)};
    });
}

// Renews the holding; false when a row no longer names it.
bool renew(Db& db, const std::vector<RouterLease>& rows, int count, const std::string& owner,
           std::int64_t held, LeaseClaim& claim, util::Millis length) {
    for (const auto& r : rows)
        if (r.owner != owner || r.epoch != held) {
            claim.holder = r.owner;
            claim.epoch = r.epoch;
            claim.expires_at = r.expires_at;
            return false;
        }
    if (static_cast<int>(rows.size()) != count) return false;  // rows removed behind its back
    claim.epoch = held;
    claim.expires_at = claim.now + length;
    Stmt(db, "UPDATE router_partitions SET expires_at = ? WHERE owner = ? AND epoch = ?")
        .bind(1, claim.expires_at)
        .bind(2, owner)
        .bind(3, held)
        .run();
    return true;
}

// Takes every partition with the next epoch, `count` of them.
void take(Db& db, const std::vector<RouterLease>& rows, int count, const std::string& owner,
          LeaseClaim& claim, util::Millis length) {
    std::int64_t epoch = 0;
    for (const auto& r : rows) epoch = std::max(epoch, r.epoch);
    claim.epoch = epoch + 1;
    claim.expires_at = claim.now + length;
    if (static_cast<int>(rows.size()) == count) {
        Stmt(db, "UPDATE router_partitions SET owner = ?, epoch = ?, expires_at = ?")
            .bind(1, owner)
            .bind(2, claim.epoch)
            .bind(3, claim.expires_at)
            .run();
        return;
    }
    // The gate's mark of the new rows: the lowest of those they replace, or
    // the store's when there were none (every delivery up to it has passed
    // the gate, whatever its partition).
    std::int64_t gated = 0;
    if (rows.empty()) {
        const std::string mark = read_setting(db, kGatedSeqSetting);
        gated = mark.empty() ? 0 : std::stoll(mark);
    } else {
        Stmt lowest(db, "SELECT MIN(gated_seq) FROM router_partitions");
        lowest.step();
        gated = lowest.integer(0);
    }
    Stmt(db, "DELETE FROM router_partitions").run();
    Stmt insert(db,
                "INSERT INTO router_partitions (partition_no, owner, epoch, expires_at, gated_seq) "
                "VALUES (?, ?, ?, ?, ?)");
    for (int p = 0; p < count; ++p) {
        insert.bind(1, p)
            .bind(2, owner)
            .bind(3, claim.epoch)
            .bind(4, claim.expires_at)
            .bind(5, gated)
            .run();
        insert.reset();
    }
}

}  // namespace

LeaseClaim claim_partitions(Store& store, int count, const std::string& owner, std::int64_t held,
                            util::Millis length) {
    Db& db = store.handle();
    Transaction tx(db);
    LeaseClaim claim;
    claim.now = store_clock(db);
    Stmt read(db, read_rows_sql(db.dialect()));
    const std::vector<RouterLease> rows = rows_of(read);
    if (held != 0) {
        if (!renew(db, rows, count, owner, held, claim, length)) return claim;  // lost
    } else {
        // Held by another router while one of its rows has not expired; the
        // holding's expiry is its last row's.
        for (const auto& r : rows)
            if (r.owner != owner && r.expires_at > claim.now && r.expires_at > claim.expires_at) {
                claim.holder = r.owner;
                claim.epoch = r.epoch;
                claim.expires_at = r.expires_at;
            }
        if (!claim.holder.empty()) {
            if (static_cast<int>(rows.size()) != count)
                claim.other_count = static_cast<int>(rows.size());
            return claim;  // rolled back: nothing written
        }
        take(db, rows, count, owner, claim, length);
    }
    tx.commit();
    claim.held = true;
    claim.holder = owner;
    return claim;
}

void release_partitions(Store& store, const std::string& owner, std::int64_t epoch) {
    Db& db = store.handle();
    Stmt s(db, std::string("UPDATE router_partitions SET expires_at = ") +
                   now_millis(db.dialect()) + " WHERE owner = ? AND epoch = ?");
    s.bind(1, owner).bind(2, epoch).run();
}

namespace {
// " AND partition_no IN (0,1)" for a set that is not every partition.
std::string among(const PartitionSet& serves) {
    if (serves.holds_all()) return {};
    std::string in;
    for (int p = 0; p < serves.count(); ++p)
        if (serves.contains(p)) in += (in.empty() ? "" : ",") + std::to_string(p);
    return in.empty() ? " AND 0 = 1" : " AND partition_no IN (" + in + ")";
}
}  // namespace

std::optional<std::int64_t> read_gate_mark(Db& db, const PartitionSet& serves) {
    Stmt s(db,
           "SELECT COUNT(*), MIN(gated_seq) FROM router_partitions WHERE 1 = 1" + among(serves));
    s.step();
    if (s.integer(0) == 0) return std::nullopt;
    if (s.integer(0) < serves.held()) return 0;  // a partition without its row: every one
    return s.integer(1);
}

void write_gate_mark(Db& db, const std::string& owner, const PartitionSet& serves,
                     std::int64_t seq) {
    Stmt(db, "UPDATE router_partitions SET gated_seq = ? WHERE owner = ?" + among(serves))
        .bind(1, seq)
        .bind(2, owner)
        .run();
}

Expected<LeaseView> read_leases(Store& store) {
    try {
        Db& db = store.handle();
        LeaseView view;
        view.now = store_clock(db);
        Stmt s(db,
               "SELECT partition_no, owner, epoch, expires_at FROM router_partitions "
               "ORDER BY partition_no");
        view.leases = rows_of(s);
        return view;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

void LeaseFence::check(Db& db) {
    if (!read_.prepared())
        read_ = Stmt(db, std::string("SELECT owner, epoch FROM router_partitions") +
                             (db.dialect() == Dialect::mariadb ? " LOCK IN SHARE MODE" : ""));
    bool still = false;
    {
        const std::int64_t epoch = holding_->epoch.load();
        const auto ours = read_.collect(
            [&](const Stmt& r) { return r.text(0) == holding_->owner && r.integer(1) == epoch; });
        still = epoch != 0 && static_cast<int>(ours.size()) == holding_->count &&
                std::all_of(ours.begin(), ours.end(), [](bool mine) { return mine; });
    }
    if (still) return;
    holding_->lost = true;
    throw StoreFailure{SQLITE_AUTH,
                       "this router no longer holds its lease on the deliveries: another "
                       "router has taken them over"};
}

}  // namespace notify::store
