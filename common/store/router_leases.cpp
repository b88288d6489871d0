// router_leases.cpp - the statements of the router_partitions table.
#include "store/router_leases.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "store/dialect.hpp"
#include "store/fanout_rows.hpp"
#include "store/fanout_store.hpp"
#include "store/partition_sql.hpp"
#include "store/store.hpp"

namespace notify::store {

namespace {

// How long an expired claim is kept (a router gone for good).
constexpr util::Millis kForgetClaim = 24LL * 3600 * 1000;

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

// Makes the rows anew, `count` of them, held by none: their epochs go on
// from the highest of those they replace, and the gate's mark of each is the
// lowest of theirs, or the store's when there were none (every delivery up
// to it has passed the gate, whatever its partition).
std::vector<RouterLease> make_rows(Db& db, const std::vector<RouterLease>& rows, int count) {
    std::int64_t epoch = 0;
    for (const auto& r : rows) epoch = std::max(epoch, r.epoch);
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
                "VALUES (?, '', ?, 0, ?)");
    std::vector<RouterLease> made;
    for (int p = 0; p < count; ++p) {
        insert.bind(1, p).bind(2, epoch).bind(3, gated).run();
        insert.reset();
        made.push_back(RouterLease{p, "", epoch, 0});
    }
    return made;
}

// Writes `owner`'s claim: live until `until`.
void note_claimant(Db& db, const std::string& owner, int count, util::Millis until) {
    Stmt(db, "INSERT INTO router_claimants (owner, partitions, claimed_until) VALUES (?, ?, ?) " +
                 on_conflict_update(db.dialect(), "owner",
                                    "partitions = excluded.partitions, "
                                    "claimed_until = excluded.claimed_until"))
        .bind(1, owner)
        .bind(2, count)
        .bind(3, until)
        .run();
}

// Notes `at` as the next expiry of another router's row or claim, when it
// is the first.
void expires_next(LeaseClaim& claim, util::Millis at) {
    if (at > claim.now && (claim.next_expiry == 0 || at < claim.next_expiry))
        claim.next_expiry = at;
}

// The routers alive now, `owner` among them: those holding a row that has
// not expired, and those whose claim (with the same count) has not. Claims
// expired for a day are removed.
int live_routers(Db& db, const std::vector<RouterLease>& rows, const std::string& owner, int count,
                 LeaseClaim& claim) {
    std::set<std::string> live{owner};
    for (const auto& r : rows)
        if (!r.owner.empty() && r.expires_at > claim.now) live.insert(r.owner);
    Stmt claiming(db,
                  "SELECT owner, claimed_until FROM router_claimants WHERE partitions = ? AND "
                  "claimed_until > ?");
    claiming.bind(1, count).bind(2, claim.now);
    for (auto& [id, until] : claiming.collect([](const Stmt& r) {
             return std::pair<std::string, util::Millis>(r.text(0), r.integer(1));
         })) {
        if (id != owner) expires_next(claim, until);
        live.insert(std::move(id));
    }
    Stmt(db, "DELETE FROM router_claimants WHERE claimed_until < ?")
        .bind(1, claim.now - kForgetClaim)
        .run();
    return static_cast<int>(live.size());
}

// Sets the expiry of the rows of `partitions` that `owner` holds.
void set_expiry(Db& db, const std::string& owner, const PartitionSet& partitions,
                util::Millis expires_at) {
    if (partitions.held() == 0) return;
    Stmt(db, "UPDATE router_partitions SET expires_at = ? WHERE owner = ?" + among(partitions))
        .bind(1, expires_at)
        .bind(2, owner)
        .run();
}

}  // namespace

LeaseClaim claim_partitions(Store& store, int count, const std::string& owner, const Epochs& held,
                            const PartitionSet& let_go, util::Millis length) {
    Db& db = store.handle();
    Transaction tx(db);
    LeaseClaim claim;
    claim.now = store_clock(db);
    Stmt read(db, read_rows_sql(db.dialect()));
    std::vector<RouterLease> rows = rows_of(read);
    auto holds = [&](int p) { return static_cast<std::size_t>(p) < held.size() && held[p] != 0; };
    // Held and kept: a row let go may have been let go already (a commit
    // that failed after all) and taken by another since.
    auto keeps = [&](int p) { return holds(p) && !let_go.contains(p); };
    if (static_cast<int>(rows.size()) != count) {
        for (int p = 0; p < static_cast<int>(held.size()); ++p)
            if (keeps(p)) {
                claim.lost = true;  // its rows were made anew behind its back
                return claim;
            }
        for (const auto& r : rows)
            if (r.owner != owner && r.expires_at > claim.now) {
                claim.other_count = static_cast<int>(rows.size());
                claim.holder = r.owner;
                claim.epoch = r.epoch;
                claim.holder_expires_at = std::max(claim.holder_expires_at, r.expires_at);
            }
        if (claim.other_count != 0) return claim;  // rolled back: nothing written
        rows = make_rows(db, rows, count);
    }
    auto still = [&](const RouterLease& r) {
        return holds(r.partition) && r.owner == owner && r.epoch == held[r.partition];
    };
    for (const auto& r : rows)
        if (keeps(r.partition) && !still(r)) {
            claim.lost = true;
            claim.holder = r.owner;
            claim.epoch = r.epoch;
            return claim;
        }
    claim.epochs.assign(static_cast<std::size_t>(count), 0);
    claim.expires_at = claim.now + length;
    std::vector<int> renewed, released;
    for (const auto& r : rows) {
        if (!still(r)) continue;
        if (let_go.contains(r.partition)) {
            released.push_back(r.partition);
        } else {
            renewed.push_back(r.partition);
            claim.epochs[r.partition] = r.epoch;
        }
    }
    set_expiry(db, owner, PartitionSet(count, released), claim.now);
    set_expiry(db, owner, PartitionSet(count, renewed), claim.expires_at);
    note_claimant(db, owner, count, claim.expires_at);
    claim.routers = live_routers(db, rows, owner, count, claim);
    claim.share = (count + claim.routers - 1) / claim.routers;
    int holding = static_cast<int>(renewed.size());
    Stmt take(db,
              "UPDATE router_partitions SET owner = ?, epoch = ?, expires_at = ? "
              "WHERE partition_no = ?");
    for (const auto& r : rows) {
        if (r.owner != owner) expires_next(claim, r.expires_at);
        if (holding >= claim.share) continue;
        if (holds(r.partition) || let_go.contains(r.partition)) continue;
        if (r.owner != owner && r.expires_at > claim.now) {
            if (claim.holder.empty() || r.expires_at < claim.holder_expires_at) {
                claim.holder = r.owner;
                claim.epoch = r.epoch;
                claim.holder_expires_at = r.expires_at;
            }
            continue;
        }
        take.bind(1, owner).bind(2, r.epoch + 1).bind(3, claim.expires_at).bind(4, r.partition);
        take.run();
        take.reset();
        claim.epochs[r.partition] = r.epoch + 1;
        ++holding;
    }
    if (holding >= claim.share) claim.holder.clear();
    tx.commit();
    return claim;
}

void release_partitions(Store& store, const std::string& owner, const Epochs& held) {
    Db& db = store.handle();
    Transaction tx(db);
    Stmt(db, "DELETE FROM router_claimants WHERE owner = ?").bind(1, owner).run();
    Stmt s(db, std::string("UPDATE router_partitions SET expires_at = ") +
                   now_millis(db.dialect()) +
                   " WHERE owner = ? AND partition_no = ? AND epoch = ?");
    for (std::size_t p = 0; p < held.size(); ++p) {
        if (held[p] == 0) continue;
        s.bind(1, owner).bind(2, static_cast<std::int64_t>(p)).bind(3, held[p]).run();
        s.reset();
    }
    tx.commit();
}

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

Epochs LeaseHolding::epochs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return epochs_;
}

void LeaseHolding::set(Epochs epochs) {
    epochs.resize(static_cast<std::size_t>(count), 0);
    std::lock_guard<std::mutex> lock(mu_);
    epochs_ = std::move(epochs);
}

std::vector<int> partitions_held(const Epochs& epochs) {
    std::vector<int> held;
    for (std::size_t p = 0; p < epochs.size(); ++p)
        if (epochs[p] != 0) held.push_back(static_cast<int>(p));
    return held;
}

PartitionSet LeaseHolding::held() const {
    return PartitionSet(count, partitions_held(epochs()));
}

void LeaseFence::check(Db& db) {
    if (!read_.prepared())
        read_ = Stmt(db, std::string("SELECT partition_no, owner, epoch FROM router_partitions") +
                             (db.dialect() == Dialect::mariadb ? " LOCK IN SHARE MODE" : ""));
    const Epochs epochs = holding_->epochs();
    const auto held = std::count_if(epochs.begin(), epochs.end(), [](auto e) { return e != 0; });
    const auto ours = read_.collect([&](const Stmt& r) {
        const auto p = static_cast<std::size_t>(r.integer(0));
        return p < epochs.size() && epochs[p] != 0 && r.text(1) == holding_->owner &&
               r.integer(2) == epochs[p];
    });
    if (held > 0 && std::count(ours.begin(), ours.end(), true) == held) return;
    holding_->lost = true;
    throw StoreFailure{SQLITE_AUTH,
                       "this router no longer holds its lease on its partitions of the "
                       "deliveries: another router has taken them over"};
}

}  // namespace notify::store
