// router_leases.cpp - the statements of the router_partitions table.
#include "store/router_leases.hpp"

#include <sqlite3.h>

#include "store/dialect.hpp"
#include "store/store.hpp"

namespace notify::store {

namespace {

// The row, read inside the caller's write transaction: with a shared lock on
// MariaDB (the latest committed row, kept until the transaction ends).
std::string read_row_sql(Dialect d) {
    return std::string(
               "SELECT owner, epoch, expires_at FROM router_partitions "
               "WHERE partition_no = ?") +
           (d == Dialect::mariadb ? " LOCK IN SHARE MODE" : "");
}

}  // namespace

RouterLease claim_lease(Store& store, int partition, const std::string& owner, std::int64_t held,
                        util::Millis length) {
    Db& db = store.handle();
    Transaction tx(db);
    RouterLease row;
    row.partition = partition;
    row.now = store_clock(db);
    Stmt read(db, read_row_sql(db.dialect()));
    read.bind(1, partition);
    const bool found = read.step();
    if (found) {
        row.owner = read.text(0);
        row.epoch = read.integer(1);
        row.expires_at = read.integer(2);
    }
    read.reset();
    const bool ours = found && row.owner == owner;
    const bool renew = held != 0 && ours && row.epoch == held;
    const bool take = held == 0 && (!found || ours || row.expires_at <= row.now);
    if (!renew && !take) return row;  // another's (rolled back: nothing written)
    if (take) ++row.epoch;
    row.owner = owner;
    row.expires_at = row.now + length;
    Stmt write(db,
               "REPLACE INTO router_partitions (partition_no, owner, epoch, expires_at) "
               "VALUES (?, ?, ?, ?)");
    write.bind(1, partition).bind(2, owner).bind(3, row.epoch).bind(4, row.expires_at).run();
    tx.commit();
    return row;
}

void release_lease(Store& store, int partition, const std::string& owner, std::int64_t epoch) {
    Db& db = store.handle();
    Stmt s(db, std::string("UPDATE router_partitions SET expires_at = ") +
                   now_millis(db.dialect()) +
                   " WHERE partition_no = ? AND owner = ? AND epoch = ?");
    s.bind(1, partition).bind(2, owner).bind(3, epoch).run();
}

Expected<LeaseView> read_leases(Store& store) {
    try {
        Db& db = store.handle();
        LeaseView view;
        view.now = store_clock(db);
        Stmt s(db,
               "SELECT partition_no, owner, epoch, expires_at FROM router_partitions "
               "ORDER BY partition_no");
        view.leases = s.collect([&](const Stmt& r) {
            return RouterLease{static_cast<int>(r.integer(0)), r.text(1), r.integer(2),
                               r.integer(3), view.now};
        });
        return view;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

void LeaseFence::check(Db& db) {
    if (!read_.prepared()) read_ = Stmt(db, read_row_sql(db.dialect()));
    read_.bind(1, holding_->partition);
    bool still = false;
    {
        const std::int64_t epoch = holding_->epoch.load();
        auto row =
            read_.first([](const Stmt& r) { return std::make_pair(r.text(0), r.integer(1)); });
        still = epoch != 0 && row && row->first == holding_->owner && row->second == epoch;
    }
    if (still) return;
    holding_->lost = true;
    throw StoreFailure{SQLITE_AUTH,
                       "this router no longer holds its lease on the deliveries: another "
                       "router has taken them over"};
}

}  // namespace notify::store
