// schedule_store.hpp - schedules in the store (schema 12): each one's
// definition (when it fires, common/schedule/spec.hpp, and the send it makes,
// as POST /v1/notifications takes it), whether it is paused, its next firing
// and the last it handled; and its history, a row per firing handled: the
// notification it made, or a run of firings missed while nothing could fire
// them (common/schedule/misfire.hpp). A firing's row is keyed by its schedule
// and time, so a firing written twice is refused: what makes a firing writes
// its row in the transaction that stores its notification, and a firing is
// made once whatever stops in between.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model.hpp"
#include "store/db.hpp"

namespace notify::store {

struct ScheduleRow {
    std::string name;
    std::string kind;  // cron, every or at
    std::string spec;  // the cron expression, or the period or the instant in ms
    std::string timezone;
    Millis anchor = 0;
    Millis until = 0;  // 0: no end
    std::string misfire = "once";
    bool paused = false;
    std::string notification;  // JSON
    std::string api_key_id;
    Millis created_at = 0;
    Millis updated_at = 0;
    Millis next_at = 0;  // 0: none left
    Millis last_at = 0;  // 0: none yet
};

struct FiringRow {
    std::string schedule;
    Millis at = 0;  // the firing's time, or the first of a run missed
    Millis handled_at = 0;
    std::string outcome;  // made, missed, refused or expired
    std::int64_t firings = 1;
    std::string notification_id;  // made: the notification
    std::string detail;           // why: "4 firings late from ... to ...: none made (misfire skip)"
};

class ScheduleStore {
  public:
    explicit ScheduleStore(Db& db);
    // Adds a schedule, or replaces the one of its name (its history kept);
    // true when it is new.
    bool put(const ScheduleRow& s);
    // False when there is no such schedule; its history stays.
    bool remove(const std::string& name);
    std::optional<ScheduleRow> get(const std::string& name);
    // By name: those after `after`, at most `limit` (negative: every one).
    std::vector<ScheduleRow> list(const std::string& after = {}, int limit = -1);
    // False when there is no such schedule.
    bool set_paused(const std::string& name, bool paused, Millis next_at, Millis now);
    // After firings are handled: the next (0: none left) and the last.
    void advance(const std::string& name, Millis next_at, Millis last_at, Millis now);
    // False when the schedule has a row for that time already. A firing
    // refused or expired for the same reason as the schedule's last row adds
    // its count to that row (`firings`, handled_at) instead of a row of its own.
    bool record(const FiringRow& f);
    bool has_firing(const std::string& name, Millis at);
    // The newest first, at most `limit`; of the schedule of that name now
    // (rows handled since it was added: one removed and added again starts a
    // new history), or every row of a name no schedule has now.
    std::vector<FiringRow> history(const std::string& name, int limit);

  private:
    Db& db_;
    Stmt put_, advance_, record_, has_firing_;
};

}  // namespace notify::store
