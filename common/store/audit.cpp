// audit.cpp - the audit table's two statements.
#include "store/audit.hpp"

#include <algorithm>

#include "store/db.hpp"
#include "store/store.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::store {

namespace {
constexpr size_t kMaxDetail = 1000;
}

std::string fields_detail(std::vector<std::string> fields) {
    std::sort(fields.begin(), fields.end());
    return log::clip("fields: " + util::join(fields, ", "), kMaxDetail);
}

std::string template_detail(const std::string& name, const std::string& channel,
                            const std::string& locale, std::int64_t version,
                            std::int64_t restored) {
    std::string s = "'" + name + "'";
    if (!channel.empty()) s += " for channel '" + channel + "'";
    if (!locale.empty()) s += " in locale '" + locale + "'";
    if (restored > 0) s += " version " + std::to_string(restored) + " as";
    return log::clip(s + " version " + std::to_string(version), kMaxDetail);
}

std::string import_detail(std::int64_t imported) {
    return std::to_string(imported) + " users";
}

void append_audit(Store& store, const AuditEntry& e) {
    Stmt s(store.handle(),
           "INSERT INTO audit (at, actor, action, target, detail) VALUES (?,?,?,?,?)");
    s.bind(1, e.at).bind(2, e.actor).bind(3, e.action).bind(4, e.target).bind(5, e.detail);
    s.run();
}

Status record_audit(Store& store, const AuditEntry& e) {
    try {
        append_audit(store, e);
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
