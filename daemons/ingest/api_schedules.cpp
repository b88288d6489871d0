// api_schedules.cpp - /v1/schedules: recurring sends, owned by the router
// (daemons/priority-router/schedules.hpp). A change is checked here as the
// router will check it (accept/schedule_request.hpp: 422 naming the field,
// nothing stored), then forwarded on router.control; the router stores it and
// answers, and the schedule is read back from the store. Reads come from the
// store. Times are RFC 3339 with the offset of the schedule's zone.
//
//   GET    /v1/schedules?limit=N&after=NAME  {"schedules":[view...],"next":NAME|null}
//                                         by name, N at most 1000 (default); "next"
//                                         is the after= of the next page
//   POST   /v1/schedules                  {"name",("cron"|"every"|"at"),"timezone",
//                                         "until","misfire","paused","notification"}
//                                         -> 201 view; 409 schedule_exists
//   GET    /v1/schedules/{name}           view plus "next_firings": the next five
//   PUT    /v1/schedules/{name}           the same body (its name may be left out):
//                                         201 view when new, 200 when replaced
//   DELETE /v1/schedules/{name}           {"name","deleted":true}; its history stays
//   POST   /v1/schedules/{name}/pause     view; a paused schedule makes nothing
//   POST   /v1/schedules/{name}/resume    view; it goes on from its next firing after now
//   GET    /v1/schedules/{name}/history?limit=N   {"name","history":[{"at","handled_at",
//                                         "outcome","firings","notification_id","detail"}]}
//                                         newest first, N at most 1000 (default 20)
// A view: {"name","describe","cron"|"every"|"at","timezone","until","misfire",
// "paused","next_at","last_at","created_at","updated_at","notification"}.
#include <nlohmann/json.hpp>

#include "accept/schedule_request.hpp"
#include "api.hpp"
#include "schedule/zone.hpp"
#include "store/schedule_store.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr int kNextFirings = 5;
constexpr std::int64_t kDefaultHistory = 20;
constexpr std::int64_t kMaxHistory = 1000;
constexpr std::int64_t kDefaultPage = 1000;
constexpr std::int64_t kMaxPage = 1000;

Error store_failure() {
    return make_error(ErrorKind::unavailable, "store_unavailable",
                      "the store cannot be read; try again shortly");
}

Error no_schedule(const std::string& name) {
    return make_error(ErrorKind::not_found, "not_found", "no schedule '" + log::clip(name) + "'");
}

schedule::Zone zone_of(const store::ScheduleRow& row) {
    return schedule::Zone::named(row.timezone).value_or(schedule::Zone::local());
}

json time_or_null(const schedule::Zone& zone, Millis t) {
    return t ? json(zone.format(t)) : json(nullptr);
}

json view_of(const store::ScheduleRow& row) {
    const auto zone = zone_of(row);
    auto spec = accept::spec_of(row);
    json v{{"name", row.name}, {"describe", spec ? spec->describe() : spec.error().message}};
    if (row.kind == "cron")
        v["cron"] = row.spec;
    else if (row.kind == "every" && spec)
        v["every"] = util::format_duration(spec->period);
    else if (row.kind == "at")
        v["at"] = zone.format(row.anchor);
    v["timezone"] = row.timezone;
    v["until"] = time_or_null(zone, row.until);
    v["misfire"] = row.misfire;
    v["paused"] = row.paused;
    v["next_at"] = time_or_null(zone, row.paused ? 0 : row.next_at);
    v["last_at"] = time_or_null(zone, row.last_at);
    v["created_at"] = zone.format(row.created_at);
    v["updated_at"] = zone.format(row.updated_at);
    v["notification"] = util::json_or_discarded(row.notification);
    return v;
}

// The next firings of `row`: from its next, or after now for a paused one
// (it goes on from then when resumed).
json next_firings(const store::ScheduleRow& row, Millis now) {
    json out = json::array();
    auto spec = accept::spec_of(row);
    if (!spec || (!row.paused && row.next_at == 0)) return out;
    const auto zone = zone_of(row);
    std::optional<Millis> t = row.paused ? spec->next_after(now) : std::optional(row.next_at);
    for (int i = 0; t && i < kNextFirings; ++i, t = spec->next_after(*t))
        out.push_back(zone.format(*t));
    return out;
}

json firing_of(const store::FiringRow& f, const schedule::Zone& zone) {
    return {
        {"at", zone.format(f.at)},
        {"handled_at", zone.format(f.handled_at)},
        {"outcome", f.outcome},
        {"firings", f.firings},
        {"notification_id", f.notification_id.empty() ? json(nullptr) : json(f.notification_id)},
        {"detail", f.detail}};
}

}  // namespace

store::ScheduleStore& Api::schedules() {
    if (!schedules_) schedules_ = std::make_unique<store::ScheduleStore>(reads_.handle());
    return *schedules_;
}

void Api::schedules_request(const Request& req, const std::vector<std::string>& parts,
                            const Principal& who, Reply done) {
    const std::string& method = req.method;
    if (parts.size() == 1) {
        if (method == "GET") return list_schedules(req, done);
        if (method == "POST") return change_schedule("put", {}, req, who, std::move(done));
        return fail(
            done, 405,
            make_error(ErrorKind::usage, "method_not_allowed", "use GET or POST on /v1/schedules"));
    }
    const std::string& name = parts[1];
    if (parts.size() == 2) {
        if (method == "GET") return show_schedule(name, done);
        if (method == "PUT") return change_schedule("put", name, req, who, std::move(done));
        if (method == "DELETE") return change_schedule("remove", name, req, who, std::move(done));
        return fail(done, 405,
                    make_error(ErrorKind::usage, "method_not_allowed",
                               "use GET, PUT or DELETE on /v1/schedules/{name}"));
    }
    if (parts.size() == 3 && parts[2] == "history" && method == "GET")
        return schedule_history(name, req, done);
    if (parts.size() == 3 && (parts[2] == "pause" || parts[2] == "resume") && method == "POST")
        return change_schedule(parts[2], name, req, who, std::move(done));
    fail(done, make_error(ErrorKind::not_found, "not_found",
                          "no such route '" + log::clip(req.path) + "'"));
}

void Api::list_schedules(const Request& req, const Reply& done) {
    std::int64_t limit = kDefaultPage;
    std::string after;
    for (const auto& [key, value] : req.query) {
        if (key == "limit") {
            auto n = util::parse_whole(value, 1, kMaxPage, "limit", "invalid_filter");
            if (!n) return fail(done, n.error());
            limit = *n;
        } else if (key == "after") {
            if (auto st = schedule::check_schedule_name(value, key); !value.empty() && !st)
                return fail(done, st.error());
            after = value;
        } else {
            return fail(
                done, make_error(ErrorKind::invalid, "unknown_filter",
                                 "unknown parameter '" + log::clip(key) + "' (limit, after)", key));
        }
    }
    std::vector<store::ScheduleRow> rows;
    try {
        rows = schedules().list(after, static_cast<int>(limit) + 1);
    } catch (const store::StoreFailure&) {
        return fail(done, store_failure());
    }
    // One more than the page says whether another follows.
    json next = nullptr;
    if (rows.size() > static_cast<std::size_t>(limit)) {
        rows.pop_back();
        next = rows.back().name;
    }
    json list = json::array();
    for (const auto& row : rows) list.push_back(view_of(row));
    done(json_response(200, {{"schedules", std::move(list)}, {"next", std::move(next)}}));
}

Expected<store::ScheduleRow> Api::stored_schedule(const std::string& name) {
    try {
        if (auto row = schedules().get(name)) return std::move(*row);
        return no_schedule(name);
    } catch (const store::StoreFailure&) {
        return store_failure();
    }
}

void Api::show_schedule(const std::string& name, const Reply& done) {
    auto row = stored_schedule(name);
    if (!row) return fail(done, row.error());
    json v = view_of(*row);
    v["next_firings"] = next_firings(*row, util::now_ms());
    done(json_response(200, v));
}

void Api::schedule_history(const std::string& name, const Request& req, const Reply& done) {
    std::int64_t limit = kDefaultHistory;
    for (const auto& [key, value] : req.query) {
        if (key != "limit")
            return fail(done,
                        make_error(ErrorKind::invalid, "unknown_filter",
                                   "unknown parameter '" + log::clip(key) + "' (limit)", key));
        auto n = util::parse_whole(value, 1, kMaxHistory, "limit", "invalid_filter");
        if (!n) return fail(done, n.error());
        limit = *n;
    }
    std::optional<store::ScheduleRow> row;
    std::vector<store::FiringRow> history;
    try {
        row = schedules().get(name);
        history = schedules().history(name, static_cast<int>(limit));
    } catch (const store::StoreFailure&) {
        return fail(done, store_failure());
    }
    // A removed schedule's history is still there.
    if (!row && history.empty()) return fail(done, no_schedule(name));
    const auto zone = row ? zone_of(*row) : schedule::Zone::named("UTC").value();
    json list = json::array();
    for (const auto& f : history) list.push_back(firing_of(f, zone));
    done(json_response(200, {{"name", name}, {"history", std::move(list)}}));
}

void Api::change_schedule(const std::string& action, const std::string& name, const Request& req,
                          const Principal& who, Reply done) {
    const Millis now = util::now_ms();
    json request{{"op", "schedule"}, {"action", action}, {"by", who.name}};
    if (!name.empty()) {
        if (auto st = schedule::check_schedule_name(name, "name"); !st)
            return action == "put" ? fail(done, 422, st.error()) : fail(done, no_schedule(name));
        request["name"] = name;
    }
    std::string target = name;
    if (action == "put") {
        auto body = parse_sized_body(req.body, config_.ingest.max_body_bytes);
        if (!body) return fail(done, body.error());
        RequestContext ctx{&config_, now, who.name, &templates_, &directory(), who.id};
        auto checked = accept::read_schedule(*body, ctx, name);
        // Well-formed JSON that is no schedule: 422 naming the field.
        if (!checked) {
            const Error& e = checked.error();
            const bool refused = e.kind != ErrorKind::unavailable && e.kind != ErrorKind::internal;
            return fail(done, refused ? 422 : http_status(e.kind), e);
        }
        target = checked->row.name;
        request["schedule"] = std::move(*body);
        request["create"] = name.empty();  // POST creates; PUT creates or replaces
        request["api_key_id"] = who.id;
    } else if (auto row = stored_schedule(name); !row) {
        return fail(done, row.error());
    }
    control_.call(
        request.dump(-1, ' ', false, json::error_handler_t::replace),
        [this, done = std::move(done), action, target](Expected<std::string> reply) {
            guarded(done, [&] {
                auto answer = router_answer(reply, "schedule " + action);
                if (!answer) {
                    // The router checks again: what it refuses is as the door's.
                    const Error& e = answer.error();
                    if (e.kind == ErrorKind::invalid || !e.field.empty()) return fail(done, 422, e);
                    return fail_router(done, e);
                }
                if (action == "remove")
                    return done(json_response(200, {{"name", target}, {"deleted", true}}));
                auto row = stored_schedule(target);
                if (!row) return fail(done, row.error());
                done(json_response(answer->value("created", false) ? 201 : 200, view_of(*row)));
            });
        });
}

}  // namespace notify::ingest
