// schedule_store.cpp - schedules and their history in the store; see
// schedule_store.hpp.
#include "store/schedule_store.hpp"

#include "store/dialect.hpp"

namespace notify::store {

namespace {

constexpr const char* kColumns =
    "name, kind, spec, timezone, anchor, until, misfire, paused, notification, api_key_id, "
    "created_at, updated_at, next_at, last_at";

ScheduleRow read_schedule(const Stmt& r) {
    ScheduleRow s;
    s.name = r.text(0);
    s.kind = r.text(1);
    s.spec = r.text(2);
    s.timezone = r.text(3);
    s.anchor = r.integer(4);
    s.until = r.integer(5);
    s.misfire = r.text(6);
    s.paused = r.integer(7) != 0;
    s.notification = r.text(8);
    s.api_key_id = r.text(9);
    s.created_at = r.integer(10);
    s.updated_at = r.integer(11);
    s.next_at = r.integer(12);
    s.last_at = r.integer(13);
    return s;
}

}  // namespace

ScheduleStore::ScheduleStore(Db& db)
    : db_(db),
      put_(db, std::string("REPLACE INTO schedules (") + kColumns +
                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      advance_(db, "UPDATE schedules SET next_at = ?, last_at = ?, updated_at = ? WHERE name = ?"),
      record_(db, std::string(insert_ignore(db.dialect())) +
                      " INTO schedule_firings (schedule, at, handled_at, outcome, "
                      "firings, notification_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      has_firing_(db, "SELECT 1 FROM schedule_firings WHERE schedule = ? AND at = ?") {}

bool ScheduleStore::put(const ScheduleRow& s) {
    const bool added =
        !Stmt(db_, "SELECT 1 FROM schedules WHERE name = ?").bind(1, s.name).exists();
    put_.bind(1, s.name)
        .bind(2, s.kind)
        .bind(3, s.spec)
        .bind(4, s.timezone)
        .bind(5, s.anchor)
        .bind(6, s.until)
        .bind(7, s.misfire)
        .bind(8, s.paused ? 1 : 0)
        .bind(9, s.notification)
        .bind(10, s.api_key_id)
        .bind(11, s.created_at)
        .bind(12, s.updated_at)
        .bind(13, s.next_at)
        .bind(14, s.last_at)
        .run();
    return added;
}

bool ScheduleStore::remove(const std::string& name) {
    Stmt(db_, "DELETE FROM schedules WHERE name = ?").bind(1, name).run();
    return db_.changes() > 0;
}

std::optional<ScheduleRow> ScheduleStore::get(const std::string& name) {
    return Stmt(db_, std::string("SELECT ") + kColumns + " FROM schedules WHERE name = ?")
        .bind(1, name)
        .first(read_schedule);
}

std::vector<ScheduleRow> ScheduleStore::list(const std::string& after, int limit) {
    return Stmt(db_, std::string("SELECT ") + kColumns +
                         " FROM schedules WHERE name > ? ORDER BY name LIMIT ?")
        .bind(1, after)
        .bind(2, limit)
        .collect(read_schedule);
}

bool ScheduleStore::set_paused(const std::string& name, bool paused, Millis next_at, Millis now) {
    Stmt(db_, "UPDATE schedules SET paused = ?, next_at = ?, updated_at = ? WHERE name = ?")
        .bind(1, paused ? 1 : 0)
        .bind(2, next_at)
        .bind(3, now)
        .bind(4, name)
        .run();
    return db_.changes() > 0;
}

void ScheduleStore::advance(const std::string& name, Millis next_at, Millis last_at, Millis now) {
    advance_.bind(1, next_at).bind(2, last_at).bind(3, now).bind(4, name).run();
}

bool ScheduleStore::record(const FiringRow& f) {
    // A firing refused (or expired) for the same reason as the schedule's last
    // row is counted in that row: a schedule whose template is gone writes one
    // row however often it fires, not one a firing.
    if (f.outcome == "refused" || f.outcome == "expired") {
        Stmt(db_,
             "UPDATE schedule_firings SET firings = firings + ?, handled_at = ? "
             "WHERE schedule = ? AND outcome = ? AND detail = ? AND at = "
             "(SELECT max(at) FROM schedule_firings WHERE schedule = ?) AND at < ?")
            .bind(1, f.firings)
            .bind(2, f.handled_at)
            .bind(3, f.schedule)
            .bind(4, f.outcome)
            .bind(5, f.detail)
            .bind(6, f.schedule)
            .bind(7, f.at)
            .run();
        if (db_.changes() > 0) return true;
    }
    record_.bind(1, f.schedule)
        .bind(2, f.at)
        .bind(3, f.handled_at)
        .bind(4, f.outcome)
        .bind(5, f.firings)
        .bind(6, f.notification_id)
        .bind(7, f.detail)
        .run();
    return db_.changes() > 0;
}

bool ScheduleStore::has_firing(const std::string& name, Millis at) {
    return has_firing_.bind(1, name).bind(2, at).exists();
}

std::vector<FiringRow> ScheduleStore::history(const std::string& name, int limit) {
    return Stmt(db_,
                "SELECT schedule, at, handled_at, outcome, firings, notification_id, detail "
                "FROM schedule_firings WHERE schedule = ? AND handled_at >= "
                "COALESCE((SELECT created_at FROM schedules WHERE name = ?), 0) "
                "ORDER BY at DESC LIMIT ?")
        .bind(1, name)
        .bind(2, name)
        .bind(3, limit)
        .collect([](const Stmt& r) {
            return FiringRow{r.text(0),    r.integer(1), r.integer(2), r.text(3),
                             r.integer(4), r.text(5),    r.text(6)};
        });
}

}  // namespace notify::store
