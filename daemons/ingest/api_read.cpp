// api_read.cpp - the read routes: one notification, a filtered page of them, the
// queue summary, the providers' breakers (from the router), and /healthz. All read through the loop
// thread's own Store. status= takes a delivery state or a fan-out state (pending-approval,
// expanding, rejected); canceled matches a canceled delivery or fan-out.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "outcome.hpp"
#include "render.hpp"
#include "schedule/spec.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

const std::vector<std::string> kFilters = {"status",   "channel", "priority", "since", "until",
                                           "module",   "limit",   "cursor",   "group", "user",
                                           "template", "text",    "schedule"};
constexpr size_t kMaxText = 200;
constexpr int kMaxLimit = 1000;

Error bad_filter(const std::string& name, const std::string& message) {
    return make_error(ErrorKind::invalid, "invalid_filter", message, name);
}

// The longest ?wait=: clients and proxies commonly give up on an answer
// after a minute.
constexpr Millis kMaxWait = 60000;

// ?wait=DURATION on GET /v1/notifications/{id}: 0 to kMaxWait.
Expected<Millis> parse_wait(const std::string& value) {
    auto d = util::parse_duration(value);
    if (!d || *d > kMaxWait)
        return make_error(ErrorKind::invalid, "invalid_query",
                          "wait must be a duration of at most " + util::format_duration(kMaxWait) +
                              ", as 30s or 1500ms (got '" + value + "')",
                          "wait");
    return *d;
}

Error store_read_failure() {
    return make_error(ErrorKind::unavailable, "store_unavailable", "the store cannot be read");
}

// Delivery states, then the fan-out states a notification alone can be in.
std::vector<std::string> status_names() {
    auto names = delivery_state_names();
    for (auto s : {store::FanoutState::pending_approval, store::FanoutState::expanding,
                   store::FanoutState::rejected})
        names.emplace_back(store::to_string(s));
    return names;
}

Expected<store::ListFilter> parse_filter(const std::map<std::string, std::string>& query) {
    store::ListFilter f;
    Millis now = util::now_ms();
    for (const auto& [name, value] : query) {
        if (std::find(kFilters.begin(), kFilters.end(), name) == kFilters.end())
            return make_error(ErrorKind::invalid, "unknown_filter",
                              "unknown filter '" + name + "'" + util::did_you_mean(name, kFilters),
                              name);
        if (value.empty()) continue;
        if (name == "group") {
            f.group = value;
            continue;
        }
        if (name == "status") {
            // A fan-out waiting for approval (or being expanded, or rejected) may
            // have no deliveries yet: those states filter on the fan-out. "canceled"
            // is both: a canceled delivery, or a fan-out canceled before (or while)
            // its deliveries were made.
            f.status = parse_delivery_state(value);
            if (value != "done") f.fanout = store::parse_fanout_state(value);
            if (!f.status && !f.fanout)
                return bad_filter(name, "unknown status '" + value + "'" +
                                            util::did_you_mean(value, status_names()) + " (" +
                                            util::join(status_names(), ", ") + ")");
        } else if (name == "priority") {
            f.priority = parse_priority(value);
            if (!f.priority)
                return bad_filter(name, "unknown priority '" + value + "'" +
                                            util::did_you_mean(value, {"high", "medium", "low"}) +
                                            " (high, medium or low)");
        } else if (name == "since" || name == "until") {
            auto t = util::parse_time(value, now, "UTC");
            if (!t) return bad_filter(name, t.error().message);
            (name == "since" ? f.since : f.until) = *t;
        } else if (name == "limit") {
            auto n = util::parse_whole(value, 1, kMaxLimit, name, "invalid_filter");
            if (!n) return bad_filter(name, n.error().message);
            f.limit = static_cast<int>(*n);
        } else if (name == "channel") {
            f.channel = value;
        } else if (name == "module") {
            f.module = value;
        } else if (name == "user") {
            f.user = value;
        } else if (name == "template") {
            f.template_name = value;
        } else if (name == "schedule") {
            if (auto st = schedule::check_schedule_name(value, name); !st)
                return bad_filter(name, st.error().message);
            f.schedule = value;
        } else if (name == "text") {
            if (value.size() > kMaxText)
                return bad_filter(name,
                                  "'text' is longer than " + std::to_string(kMaxText) + " bytes");
            f.text = value;
        } else if (name == "cursor") {
            if (value.size() > 64) return bad_filter(name, "'cursor' is not one this API gave");
            f.cursor = value;
        }
    }
    if (f.since && f.until && f.since >= f.until)
        return bad_filter("until", "'until' " + util::format_rfc3339(f.until) +
                                       " is not after 'since' " + util::format_rfc3339(f.since) +
                                       ": nothing could match");
    return f;
}

}  // namespace

void Api::get_notification(const std::string& id, const Request& req, const Principal& who,
                           const Reply& done) {
    constexpr long kDefaultDeliveries = 1000, kMaxDeliveries = 100000;
    long limit = kDefaultDeliveries;
    Millis wait = 0;
    for (const auto& [key, value] : req.query) {
        if (key == "wait") {
            auto d = parse_wait(value);
            if (!d) return fail(done, d.error());
            wait = *d;
            continue;
        }
        if (key != "deliveries")
            return fail(done, make_error(ErrorKind::invalid, "unknown_field",
                                         "unknown query parameter '" + key + "'" +
                                             util::did_you_mean(key, {"deliveries", "wait"}),
                                         key));
        auto n = util::parse_whole(value, 0, kMaxDeliveries, "deliveries", "invalid_query");
        if (!n) return fail(done, n.error());
        limit = *n;
    }
    // Answers and returns true when the notification has ended, or in any
    // case when `last`. Whether it has is read first without its deliveries
    // and events.
    auto attempt = [this, id, who, limit, done](bool last) {
        bool answered = true;
        guarded(done, [&] {
            if (!last) {
                // A store that cannot be read now is looked at again later.
                Expected<store::NotificationView> probe = store_read_failure();
                try {
                    probe = reads_.get_notification(id, false, 0);
                } catch (...) {
                }
                const bool unreadable = !probe && probe.error().kind != ErrorKind::not_found;
                if (unreadable || (probe && owns(who, probe->notification) &&
                                   !has_ended(render_notification(*probe, false)))) {
                    answered = false;
                    return;
                }
            }
            answer_notification(id, who, limit, done);
        });
        return answered;
    };
    if (wait <= 0 || !holder_ || stopping_) {
        attempt(true);
        return;
    }
    if (attempt(false)) return;
    if (!holder_->hold(util::steady_ms() + wait, attempt))
        fail(done, make_error(ErrorKind::temporary, "too_many_waits",
                              "too many answers are held for ?wait= already; ask again without "
                              "it, or later"));
}

void Api::answer_notification(const std::string& id, const Principal& who, long limit,
                              const Reply& done) {
    Expected<store::NotificationView> v = store_read_failure();
    try {
        v = reads_.get_notification(id, true, static_cast<int>(limit));
    } catch (...) {
        return fail(done, store_read_failure());
    }
    if (!v && v.error().kind != ErrorKind::not_found) return fail(done, store_read_failure());
    // Another key's notification is answered as one that does not exist.
    if (!v || !owns(who, v->notification))
        return fail(done,
                    make_error(ErrorKind::not_found, "not_found", "no notification '" + id + "'"));
    done(json_response(200, render_notification(*v, true)));
}

void Api::list_notifications(const Request& req, const Principal& who, const Reply& done) {
    auto filter = parse_filter(req.query);
    if (!filter) return fail(done, filter.error());
    if (who.scope == Scope::send) filter->api_key_id = who.id;
    Expected<store::ListPage> page = store_read_failure();
    try {
        // Sends waiting for approval are what an administrator acts on next:
        // listed as the leader has them.
        if (filter->fanout == store::FanoutState::pending_approval)
            page = reads_.list_notifications(*filter);
        else
            page = trailing_->read([&](store::Store& s) { return s.list_notifications(*filter); });
    } catch (...) {
        return fail(done, store_read_failure());
    }
    if (!page) return fail(done, store_read_failure());
    json list = json::array();
    for (const auto& v : page->notifications) list.push_back(render_notification(v, false));
    json body{{"notifications", std::move(list)}};
    body["next_cursor"] = page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor);
    done(json_response(200, body));
}

void Api::get_queue(const Reply& done) {
    Expected<std::vector<store::QueueRow>> rows = store_read_failure();
    try {
        rows = queue_rows();
    } catch (...) {
        return fail(done, store_read_failure());
    }
    if (!rows) return fail(done, store_read_failure());
    done(json_response(200, render_queue(*rows, util::now_ms())));
}

Expected<std::vector<store::QueueRow>> Api::queue_rows() {
    return trailing_->read([](store::Store& s) -> Expected<std::vector<store::QueueRow>> {
        try {
            return s.queue_rows();
        } catch (const store::StoreFailure& f) {
            return store::to_error(f);
        }
    });
}

void Api::get_providers(Reply done) {
    control_.call(R"({"op":"providers"})",
                  [this, done = std::move(done)](Expected<std::string> reply) {
                      guarded(done, [&] {
                          auto answer = router_answer(reply, "providers");
                          if (!answer) return fail_router(done, answer.error());
                          auto list = answer->find("providers");
                          if (list == answer->end() || !list->is_array())
                              return fail(done, router_misunderstood());
                          done(json_response(200, json{{"providers", std::move(*list)}}));
                      });
                  });
}

void Api::health(const Reply& done) {
    // The loop runs (it is answering); the store is writable when the last commit
    // succeeded and the file can be written (health.hpp).
    json body = health_report();
    if (body["status"] != "unavailable") return done(json_response(200, body));
    body["error"] = {
        {"code", "store_unavailable"}, {"message", body["problems"][0]}, {"field", nullptr}};
    done(json_response(503, body));
}

json Api::health_report() {
    return health_.report(replica_watch_);
}

}  // namespace notify::ingest
