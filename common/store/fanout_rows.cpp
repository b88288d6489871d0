// fanout_rows.cpp - rows of the fanouts and settings tables.
#include "store/fanout_rows.hpp"

#include "store/db.hpp"
#include "util/strings.hpp"

namespace notify::store {

const char* const kFanoutColumns =
    "notification_id, targets, state, total, expanded, `cursor`, decided_by, decided_at, reason, "
    "created_at";

Fanout read_fanout(const Stmt& s) {
    Fanout f;
    f.notification_id = s.text(0);
    std::string targets = s.text(1);
    if (!targets.empty()) f.targets = util::split(targets, '\n');
    f.state = parse_fanout_state(s.text(2)).value_or(FanoutState::expanding);
    f.total = s.integer(3);
    f.expanded = s.integer(4);
    f.cursor = s.text(5);
    f.decided_by = s.text(6);
    f.decided_at = s.integer(7);
    f.reason = s.text(8);
    f.created_at = s.integer(9);
    return f;
}

void insert_fanout(Db& db, const Fanout& f) {
    Stmt s(db, std::string("INSERT INTO fanouts (") + kFanoutColumns +
                   ") VALUES (?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, f.notification_id)
        .bind(2, util::join(f.targets, "\n"))
        .bind(3, to_string(f.state))
        .bind(4, f.total)
        .bind(5, f.expanded)
        .bind(6, f.cursor)
        .bind(7, f.decided_by)
        .bind(8, f.decided_at)
        .bind(9, f.reason)
        .bind(10, f.created_at);
    s.step();
}

std::optional<Fanout> find_fanout(Db& db, const std::string& notification_id) {
    Stmt s(db, std::string("SELECT ") + kFanoutColumns + " FROM fanouts WHERE notification_id = ?");
    s.bind(1, notification_id);
    if (!s.step()) return std::nullopt;
    return read_fanout(s);
}

std::string read_setting(Db& db, const std::string& key) {
    Stmt s(db, "SELECT value FROM settings WHERE `key` = ?");
    s.bind(1, key);
    return s.step() ? s.text(0) : std::string();
}

void write_setting(Db& db, const std::string& key, const std::string& value) {
    Stmt s(db, "REPLACE INTO settings (`key`, value) VALUES (?, ?)");
    s.bind(1, key).bind(2, value);
    s.step();
}

}  // namespace notify::store
