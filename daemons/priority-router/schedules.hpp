// schedules.hpp - the router's schedules (common/schedule, store/schedule_store):
// each one's definition and next firing in memory, read from the store at
// start, changed by control requests, and fired when due.
//
// A firing makes an ordinary notification (common/accept, as the door would
// accept it, from "schedule:NAME") written with its row in the schedule's
// history and the schedule's next firing, in one transaction: a router killed
// at any point makes each firing once. Many firings share a transaction. A
// firing handled later than schedules.misfire_grace follows the schedule's
// misfire policy (schedule/misfire.hpp); one refused now (a user deleted, a
// template changed) or expired before it was handled is in the history with
// why, and the schedule goes on.
//
// Control requests ({"op":"schedule", ...} on router.control, from ingest):
//   {"action":"put","schedule":{...},"name":PATH_NAME,"create":BOOL,"api_key_id":ID,"by":WHO}
//        stores a schedule (read by accept::read_schedule); create: refused when
//        it exists -> {"ok":true,"created":BOOL}
//   {"action":"remove"|"pause"|"resume","name":NAME} -> {"ok":true}
// Errors: {"error":{"code","message","field"}}: the request's own (invalid),
// not_found, schedule_exists, too_many_schedules, store_unavailable.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "accept/templating.hpp"
#include "config.hpp"
#include "partitions.hpp"
#include "schedule/misfire.hpp"
#include "schedule/spec.hpp"
#include "store/directory_store.hpp"
#include "store/schedule_store.hpp"
#include "store/store.hpp"

namespace notify::router {

class Schedules {
  public:
    // `templates`: the router's one cache of parsed templates.
    Schedules(const Config& config, store::Store& store, store::DirectoryStore& directory,
              accept::StoredTemplates& templates);
    // Reads every schedule of the partitions `serves` serves (by name:
    // partitions.hpp) from the store; one this version cannot read is logged
    // and left alone. A change to a schedule of another partition is
    // answered {"ok":true,"not_served":true}: its own router's to make.
    void load(const PartitionSet& serves);
    std::size_t size() const { return items_.size(); }
    // When the first schedule not paused is due (or, while writing firings
    // fails, when they are tried again); 0: none is.
    Millis next_at() const { return due_.empty() ? 0 : std::max(due_.begin()->first, retry_at_); }

    struct Fired {
        std::size_t notifications = 0;  // made
        bool fanout = false;            // one of them is a fan-out
        Status status = ok();           // the transaction's
    };
    // Handles the firings due by `now`, at most kFiringsPerRound of them (more
    // due make next_at() <= now), in one transaction. When it fails nothing
    // changes, and next_at() says when they are tried again.
    Fired fire_due(Millis now);
    // A control request (see above): the reply.
    std::string control(const nlohmann::json& request, Millis now);

    static constexpr std::size_t kFiringsPerRound = 2000;
    // Late firings of one schedule counted one by one at most; past it the
    // history says "at least".
    static constexpr std::int64_t kLateCounted = 10'000;
    static constexpr Millis kFirstRetry = 1000, kLastRetry = 30'000;

  private:
    struct Item {
        store::ScheduleRow row;
        schedule::Spec spec;
        schedule::Misfire misfire = schedule::Misfire::once;
        schedule::Zone zone = schedule::Zone::local();  // its times are shown in
    };
    // What a round did to one schedule.
    struct Handled {
        std::string name;
        Millis next_at = 0;
        Millis last_at = 0;
    };
    // What a round writes: the notifications made, the history rows and the
    // schedules' next firings.
    struct Round {
        std::vector<store::Accepted> made;
        std::vector<store::FiringRow> history;
        std::vector<Handled> handled;
    };
    // The round of the firings due by `now` (store reads may throw StoreFailure).
    Round plan_round(Millis now, bool& fanout);
    void index(const Item& item);
    void unindex(const Item& item);
    // Keeps `row` (its spec read), replacing one of its name.
    void keep(store::ScheduleRow row, schedule::Spec spec);
    std::string put(const nlohmann::json& request, Millis now);
    std::string pause(const std::string& name, bool paused, Millis now);
    std::string remove(const std::string& name);

    const Config& config_;
    store::Store& store_;
    store::DirectoryStore& directory_;
    std::unique_ptr<store::ScheduleStore> rows_;
    accept::StoredTemplates& templates_;
    PartitionSet serves_ = PartitionSet::all(1);  // load()
    std::map<std::string, Item> items_;
    std::set<std::pair<Millis, std::string>> due_;  // (next_at, name) of those not paused
    Millis retry_at_ = 0;     // while writing firings fails: when to try again
    Millis retry_pause_ = 0;  // and the pause before that
};

}  // namespace notify::router
