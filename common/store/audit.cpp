// audit.cpp - the audit table's two statements.
#include "store/audit.hpp"

#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace notify::store {

Status record_audit(Store& store, const AuditEntry& e) {
    try {
        Stmt s(store.handle(),
               "INSERT INTO audit (at, actor, action, target, detail) VALUES (?,?,?,?,?)");
        s.bind(1, e.at).bind(2, e.actor).bind(3, e.action).bind(4, e.target).bind(5, e.detail);
        s.run();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

Expected<std::vector<AuditEntry>> read_audit(Store& store, util::Millis since, int limit) {
    try {
        Stmt s(store.handle(),
               "SELECT seq, at, actor, action, target, detail FROM audit WHERE at >= ? ORDER BY "
               "seq LIMIT ?");
        return s.bind(1, since).bind(2, limit).collect([](const Stmt& r) {
            return AuditEntry{r.integer(0), r.integer(1), r.text(2),
                              r.text(3),    r.text(4),    r.text(5)};
        });
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

}  // namespace notify::store
