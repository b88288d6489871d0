// holds.hpp - whether a delivery waits before its first attempt, and until
// when. Two rules, each a window of every day's wall-clock time
// (calendar/window.hpp):
//   working hours: a low-priority bulk notification (Notification::bulk)
//     waits, while the company calendar is in working hours
//     (calendar.hold_bulk), until they end;
//   quiet hours: a medium or low delivery made for a directory user waits,
//     while the user's quiet hours are on, until they end. They are the
//     user's own, else preferences.quiet_hours ("off": none), read in the
//     user's zone, else the calendar's. Categories in
//     preferences.quiet_hours_exempt never wait.
// High priority never waits. A hold that ends inside the other one lasts
// until that one ends too; when the two leave no time free within a week,
// quiet hours alone hold it (the recipient's wish before the company's).
// With no preferences.quiet_hours, a user's row is read only while some user
// keeps quiet hours of their own (an index lookup, at most once a second).
//
// The router asks once, when it admits a delivery, for the time of its first
// attempt (now, or its send_at); a held delivery is then an ordinary
// `scheduled` one with a due timer, so that a restart keeps the hold and the
// expiry timer still wins.
//
// Reads: [calendar], preferences.quiet_hours(_exempt), users.quiet_hours and
// users.timezone.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "calendar/calendar.hpp"
#include "config.hpp"
#include "model.hpp"
#include "notification_facts.hpp"
#include "store/directory_store.hpp"

namespace notify::router {

struct Hold {
    Millis until = 0;
    std::string why;  // "working hours", "quiet hours", or "quiet hours and working hours"
};

class Holds {
  public:
    Holds(const Config& config, store::DirectoryStore& directory);
    // Reads the calendar (its file, when bulk is held): an error stops the
    // router from starting.
    Status start();
    // The hold of `d`, whose first attempt would be at `at`; nullopt: none.
    std::optional<Hold> check(const Delivery& d, const NotificationFacts& facts, Millis at);

  private:
    // When the rule that holds at `at` ends; `at` when it does not hold.
    Millis working_hours_end(const Delivery& d, const NotificationFacts& facts, Millis at) const;
    struct QuietHours {
        util::DayWindow window;
        const schedule::Zone* zone = nullptr;
    };
    // The quiet hours that apply to `d`, read once per delivery; nullopt: none.
    std::optional<QuietHours> quiet_hours_of(const Delivery& d, const NotificationFacts& facts);
    // The user's zone, else the calendar's.
    const schedule::Zone& zone_of(const std::string& name);
    bool anyone_keeps_quiet_hours();

    const Config& config_;
    store::DirectoryStore& directory_;
    std::optional<calendar::Calendar> calendar_;
    // Users' zones by name; nullopt: unknown here.
    std::unordered_map<std::string, std::optional<schedule::Zone>> zones_;
    Millis quiet_checked_at_ = 0;
    bool anyone_quiet_ = false;
};

}  // namespace notify::router
