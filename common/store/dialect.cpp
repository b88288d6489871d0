#include "store/dialect.hpp"

#include <cctype>

namespace notify::store {

const char* insert_ignore(Dialect d) {
    return d == Dialect::sqlite ? "INSERT OR IGNORE" : "INSERT IGNORE";
}

std::string on_conflict_update(Dialect d, std::string_view keys, std::string_view sets) {
    if (d == Dialect::sqlite)
        return "ON CONFLICT (" + std::string(keys) + ") DO UPDATE SET " + std::string(sets);
    std::string out = "ON DUPLICATE KEY UPDATE ";
    constexpr std::string_view kExcluded = "excluded.";
    std::size_t at = 0;
    while (at < sets.size()) {
        const std::size_t found = sets.find(kExcluded, at);
        if (found == std::string_view::npos) {
            out.append(sets.substr(at));
            break;
        }
        out.append(sets.substr(at, found - at));
        std::size_t end = found + kExcluded.size();
        while (end < sets.size() &&
               (std::isalnum(static_cast<unsigned char>(sets[end])) || sets[end] == '_'))
            ++end;
        out.append("VALUES(")
            .append(sets.substr(found + kExcluded.size(), end - found - kExcluded.size()))
            .append(")");
        at = end;
    }
    return out;
}

std::string lines_of(Dialect d, std::string_view expr, std::string_view from,
                     std::string_view order_by) {
    if (d == Dialect::sqlite) {
        // SQLite joins the rows in the order its subquery gives them.
        if (order_by.empty())
            return "(SELECT group_concat(" + std::string(expr) + ", char(10)) " +
                   std::string(from) + ")";
        return "(SELECT group_concat(line, char(10)) FROM (SELECT " + std::string(expr) +
               " AS line " + std::string(from) + " ORDER BY " + std::string(order_by) + "))";
    }
    std::string out = "(SELECT GROUP_CONCAT(" + std::string(expr);
    if (!order_by.empty()) out += " ORDER BY " + std::string(order_by);
    return out + " SEPARATOR '\n') " + std::string(from) + ")";
}

const char* commits_seen(Dialect d) {
    return d == Dialect::sqlite ? "PRAGMA data_version"
                                : "SELECT version FROM notify_writer WHERE id = 1";
}

const char* now_millis(Dialect d) {
    return d == Dialect::sqlite ? "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
                                : "CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)";
}

std::int64_t store_clock(Db& db) {
    Stmt now(db, std::string("SELECT ") + now_millis(db.dialect()));
    return now.step() ? now.integer(0) : 0;
}

const char* greater_of(Dialect d) {
    return d == Dialect::sqlite ? "MAX" : "GREATEST";
}

}  // namespace notify::store
