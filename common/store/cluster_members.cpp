// cluster_members.cpp - the statements of the cluster_members table.
#include "store/cluster_members.hpp"

#include "store/db.hpp"
#include "store/dialect.hpp"
#include "store/store.hpp"
#include "util/crypto.hpp"

namespace notify::store {

namespace {
constexpr std::size_t kMaxId = 1000;
}

std::string member_id(const std::string& role, const std::string& host,
                      const std::string& runtime_dir) {
    std::string id = role + "@" + host + ":" + runtime_dir;
    if (id.size() <= kMaxId) return id;
    return role + "@" + host.substr(0, 255) + ":" + util::hex(util::sha256(runtime_dir));
}

void beat(Store& store, const ClusterMember& m, bool first) {
    Db& db = store.handle();
    const std::string now = now_millis(db.dialect());
    const std::string sets = first ? "role = excluded.role, host = excluded.host, "
                                     "pid = excluded.pid, started_at = excluded.started_at, "
                                     "seen_at = excluded.seen_at, stopped_at = 0, "
                                     "detail = excluded.detail"
                                   : "seen_at = excluded.seen_at, detail = excluded.detail";
    Stmt s(db,
           "INSERT INTO cluster_members (id, role, host, pid, started_at, seen_at, "
           "stopped_at, detail) VALUES (?, ?, ?, ?, " +
               now + ", " + now + ", 0, ?) " + on_conflict_update(db.dialect(), "id", sets));
    s.bind(1, m.id).bind(2, m.role).bind(3, m.host).bind(4, m.pid).bind(5, m.detail);
    s.run();
}

void stopped(Store& store, const std::string& id, const std::string& detail) {
    Db& db = store.handle();
    const std::string now = now_millis(db.dialect());
    Stmt s(db, "UPDATE cluster_members SET stopped_at = " + now + ", seen_at = " + now +
                   ", detail = ? WHERE id = ?");
    s.bind(1, detail).bind(2, id);
    s.run();
}

void forget_members(Store& store, util::Millis age) {
    Db& db = store.handle();
    Stmt s(db, std::string("DELETE FROM cluster_members WHERE seen_at < ") +
                   now_millis(db.dialect()) + " - ?");
    s.bind(1, age);
    s.run();
}

Expected<ClusterView> read_members(Store& store) {
    try {
        Db& db = store.handle();
        ClusterView view;
        view.now = store_clock(db);
        Stmt s(db,
               "SELECT id, role, host, pid, started_at, seen_at, stopped_at, detail "
               "FROM cluster_members ORDER BY role, host, id");
        view.members = s.collect([](const Stmt& r) {
            return ClusterMember{r.text(0),    r.text(1),    r.text(2),    r.integer(3),
                                 r.integer(4), r.integer(5), r.integer(6), r.text(7)};
        });
        return view;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

}  // namespace notify::store
