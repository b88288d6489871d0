// schedules.cpp - the router's schedules; see schedules.hpp.
#include "schedules.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "accept/schedule_request.hpp"
#include "util/log.hpp"
#include "util/time.hpp"
#include "wire.hpp"

namespace notify::router {

using nlohmann::json;

namespace {

std::string text_of(const json& request, const char* key) {
    auto it = request.find(key);
    return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error not_found(const std::string& name) {
    return make_error(ErrorKind::not_found, "not_found", "no schedule '" + name + "'");
}

// The reply to a change of a schedule another router keeps.
std::string not_served() {
    return json{{"ok", true}, {"not_served", true}}.dump();
}

Error store_failure(const store::StoreFailure& f) {
    return make_error(ErrorKind::unavailable, "store_unavailable",
                      "the schedule could not be stored: " + f.message);
}

std::string firings_text(std::int64_t n, bool at_least) {
    return (at_least ? "at least " : "") + std::to_string(n) + (n == 1 ? " firing" : " firings");
}

// The row of a plan's late firings that were not made: how many, from when
// to when, and why.
std::string missed_detail(const schedule::Plan& p, schedule::Misfire policy,
                          const schedule::Zone& zone, std::size_t cap, bool at_least) {
    const std::string missed = firings_text(p.missed, at_least) + " late from " +
                               zone.format(p.missed_first) + " to " + zone.format(p.late_last);
    switch (policy) {
        case schedule::Misfire::once:
            return firings_text(p.late, at_least) + " late from " + zone.format(p.late_first) +
                   " to " + zone.format(p.late_last) +
                   ": one notification was made for them, at the last (misfire once)";
        case schedule::Misfire::all:
            return missed + ": none made past the first " + std::to_string(cap) +
                   " (schedules.misfire_cap; misfire all)";
        default:
            return missed + ": none made (misfire skip)";
    }
}

}  // namespace

Schedules::Schedules(const Config& config, store::Store& store, store::DirectoryStore& directory,
                     accept::StoredTemplates& templates)
    : config_(config),
      store_(store),
      directory_(directory),
      rows_(std::make_unique<store::ScheduleStore>(store.handle())),
      templates_(templates) {}

void Schedules::index(const Item& item) {
    if (!item.row.paused && item.row.next_at > 0) due_.emplace(item.row.next_at, item.row.name);
}

void Schedules::unindex(const Item& item) {
    due_.erase({item.row.next_at, item.row.name});
}

void Schedules::keep(store::ScheduleRow row, schedule::Spec spec) {
    if (auto old = items_.find(row.name); old != items_.end()) {
        unindex(old->second);
        items_.erase(old);
    }
    Item item;
    item.misfire = schedule::parse_misfire(row.misfire).value_or(schedule::Misfire::once);
    item.zone = schedule::Zone::named(row.timezone).value_or(schedule::Zone::local());
    item.row = std::move(row);
    item.spec = std::move(spec);
    index(item);
    std::string name = item.row.name;
    items_.emplace(std::move(name), std::move(item));
}

void Schedules::load(const PartitionSet& serves) {
    serves_ = serves;
    items_.clear();
    due_.clear();
    for (store::ScheduleRow& row : rows_->list()) {
        if (!serves_.serves_key(row.name)) continue;  // another router's
        auto spec = accept::spec_of(row);
        if (!spec) {
            NLOG(error, "", spec.error().message << "; it does not fire");
            continue;
        }
        keep(std::move(row), std::move(*spec));
    }
    NLOG(info, "", "schedules=" << items_.size() << " not_paused=" << due_.size());
}

Schedules::Fired Schedules::fire_due(Millis now) {
    Fired out;
    Round round;
    try {
        round = plan_round(now, out.fanout);
    } catch (const store::StoreFailure& f) {
        out.status = store::to_error(f);
    }
    if (out.status && round.handled.empty()) return out;
    if (out.status)
        out.status = store_.insert_batch(round.made, [&] {
            for (const store::FiringRow& f : round.history)
                // A run of missed firings may meet a row of the same time when
                // the clock stepped back; firings made were looked for first.
                if (!rows_->record(f) && f.outcome != "missed")
                    throw store::StoreFailure{SQLITE_CONSTRAINT,
                                              "schedule '" + f.schedule + "' has a firing at " +
                                                  util::format_rfc3339(f.at) + " already"};
            for (const Handled& h : round.handled)
                rows_->advance(h.name, h.next_at, h.last_at, now);
        });
    if (!out.status) {
        // Nothing changed: the same firings are tried again after a pause that
        // doubles while it fails. The router's own writes are not held up.
        if (retry_pause_ == 0)
            NLOG(warning, "",
                 "schedule firings not stored, tried again: " << out.status.error().message);
        retry_pause_ = std::clamp<Millis>(retry_pause_ * 2, kFirstRetry, kLastRetry);
        retry_at_ = now + retry_pause_;
        out.fanout = false;
        return out;
    }
    if (retry_pause_) NLOG(info, "", "schedule firings stored again");
    retry_pause_ = retry_at_ = 0;
    for (const Handled& h : round.handled) {
        Item& item = items_.at(h.name);
        unindex(item);
        item.row.next_at = h.next_at;
        item.row.last_at = h.last_at;
        index(item);
    }
    for (const store::FiringRow& f : round.history) {
        const Item& item = items_.at(f.schedule);
        NLOG(info, f.notification_id,
             "schedule=" << f.schedule << " firing=" << item.zone.format(f.at) << " " << f.outcome
                         << (f.firings > 1 ? " firings=" : "")
                         << (f.firings > 1 ? std::to_string(f.firings) : "")
                         << (f.detail.empty() ? "" : ": ") << f.detail);
    }
    out.notifications = round.made.size();
    return out;
}

Schedules::Round Schedules::plan_round(Millis now, bool& fanout) {
    Round round;
    const auto cap = static_cast<std::size_t>(config_.schedules.misfire_cap);
    std::size_t firings = 0;
    for (auto it = due_.begin(); it != due_.end() && it->first <= now && firings < kFiringsPerRound;
         ++it) {
        const Item& item = items_.at(it->second);
        const std::string& name = item.row.name;
        const auto plan = schedule::plan(item.spec, item.row.next_at, now, item.misfire,
                                         config_.schedules.misfire_grace, cap, kLateCounted);
        Handled h{name, plan.next.value_or(0), item.row.last_at};
        if (plan.missed > 0) {
            round.history.push_back(
                {name, plan.missed_first, now, "missed", plan.missed, "",
                 missed_detail(plan, item.misfire, item.zone, cap, plan.late >= kLateCounted)});
            h.last_at = std::max(h.last_at, plan.late_last);
        }
        accept::RequestContext ctx{&config_,    now,         "schedule:" + name,
                                   &templates_, &directory_, item.row.api_key_id};
        for (Millis at : plan.make) {
            h.last_at = std::max(h.last_at, at);
            // The router alone writes firings: one found was made before.
            if (rows_->has_firing(name, at)) continue;
            store::FiringRow f{name, at, now, "made", 1, "", ""};
            if (now - at > config_.schedules.misfire_grace)
                f.detail = "late by " + util::format_duration(now - at);
            auto n = accept::firing_notification(item.row, at, ctx);
            if (n) {
                f.notification_id = n->notification.id;
                fanout = fanout || n->fanout.has_value();
                round.made.push_back(std::move(*n));
            } else {
                f.outcome = n.error().code == "expired" ? "expired" : "refused";
                f.detail = n.error().message;
            }
            round.history.push_back(std::move(f));
        }
        firings += plan.make.size() + 1;
        round.handled.push_back(std::move(h));
    }
    return round;
}

std::string Schedules::control(const json& request, Millis now) {
    const std::string action = text_of(request, "action");
    if (action == "put") return put(request, now);
    const std::string name = text_of(request, "name");
    if (name.empty() && (action == "remove" || action == "pause" || action == "resume"))
        return wire::encode_error(
            make_error(ErrorKind::invalid, "invalid_request", "'" + action + "' needs a 'name'"));
    if (!name.empty() && !serves_.serves_key(name)) return not_served();
    if (action == "remove") return remove(name);
    if (action == "pause" || action == "resume") return pause(name, action == "pause", now);
    return wire::encode_error(make_error(ErrorKind::invalid, "invalid_request",
                                         "unknown schedule action '" + action + "'"));
}

std::string Schedules::put(const json& request, Millis now) {
    auto body = request.find("schedule");
    if (body == request.end())
        return wire::encode_error(
            make_error(ErrorKind::invalid, "invalid_request", "'put' needs a 'schedule'"));
    accept::RequestContext ctx{&config_,    now,         text_of(request, "by"),
                               &templates_, &directory_, text_of(request, "api_key_id")};
    auto r = [&]() -> Expected<accept::ScheduleRequest> {
        try {
            return accept::read_schedule(*body, ctx, text_of(request, "name"));
        } catch (const store::StoreFailure& f) {  // the directory or templates
            return store_failure(f);
        }
    }();
    if (!r) return wire::encode_error(r.error());
    const std::string name = r->row.name;
    if (!serves_.serves_key(name)) return not_served();
    auto existing = items_.find(name);
    const bool created = existing == items_.end();
    if (!created && request.value("create", false))
        return wire::encode_error(
            make_error(ErrorKind::conflict, "schedule_exists", "schedule '" + name + "' exists"));
    if (created && items_.size() >= static_cast<std::size_t>(config_.schedules.max))
        return wire::encode_error(make_error(ErrorKind::conflict, "too_many_schedules",
                                             "there are " + std::to_string(items_.size()) +
                                                 " schedules, as many as schedules.max allows"));
    if (!created) {
        r->row.created_at = existing->second.row.created_at;
        r->row.last_at = existing->second.row.last_at;
    }
    try {
        store::Transaction tx(store_.handle());  // fenced (router_leases.hpp)
        rows_->put(r->row);
        tx.commit();
    } catch (const store::StoreFailure& f) {
        return wire::encode_error(store_failure(f));
    }
    NLOG(info, "",
         "schedule=" << name << (created ? " added: " : " replaced: ") << r->spec.describe()
                     << (r->row.paused ? " paused" : ""));
    keep(std::move(r->row), std::move(r->spec));
    return json{{"ok", true}, {"created", created}}.dump();
}

std::string Schedules::pause(const std::string& name, bool paused, Millis now) {
    auto it = items_.find(name);
    if (it == items_.end()) return wire::encode_error(not_found(name));
    Item& item = it->second;
    if (item.row.paused == paused) return json{{"ok", true}}.dump();
    // Firings while it was paused are not misfires: it goes on from now.
    const Millis next = paused ? item.row.next_at : item.spec.next_after(now).value_or(0);
    try {
        store::Transaction tx(store_.handle());
        rows_->set_paused(name, paused, next, now);
        tx.commit();
    } catch (const store::StoreFailure& f) {
        return wire::encode_error(store_failure(f));
    }
    unindex(item);
    item.row.paused = paused;
    item.row.next_at = next;
    item.row.updated_at = now;
    index(item);
    NLOG(info, "", "schedule=" << name << (paused ? " paused" : " resumed"));
    return json{{"ok", true}}.dump();
}

std::string Schedules::remove(const std::string& name) {
    auto it = items_.find(name);
    if (it == items_.end()) return wire::encode_error(not_found(name));
    try {
        store::Transaction tx(store_.handle());
        rows_->remove(name);
        tx.commit();
    } catch (const store::StoreFailure& f) {
        return wire::encode_error(store_failure(f));
    }
    unindex(it->second);
    items_.erase(it);
    NLOG(info, "", "schedule=" << name << " removed");
    return json{{"ok", true}}.dump();
}

}  // namespace notify::router
