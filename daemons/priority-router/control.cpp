// control.cpp - requests on router.control: nudges from ingest (new work is in
// the store), and cancel, resend, approve and reject from operators through ingest.
//   {"op":"nudge"}                     no reply; reads new deliveries and fan-outs, and
//                                      first the high-priority ones it names ("high")
//   {"op":"ping"}                      {"ok":true,"active":N,"workers":N}
//   {"op":"metrics"}                   the router's figures, Prometheus text (router_metrics.hpp);
//                                      serving some partitions, {"metrics":TEXT,"router":ID}
//   {"op":"providers"}                 each provider's circuit breaker (provider_states.cpp)
//   {"op":"cancel","id":NOTIFICATION[,"by":WHO]}
//                                      {"ok":true,"canceled":N,"in_flight":N}, plus
//                                      "fanout":"canceled" when it stopped a fan-out
//                                      pending approval or expanding (event "canceled",
//                                      "by WHO"): nothing more of it is expanded
//   {"op":"resend","id":NOTIFICATION}  {"ok":true,"requeued":N}: failed and canceled
//                                      deliveries go again (not sent, expired or suppressed)
//   {"op":"approve","id":NOTIFICATION,"by":WHO}
//                                      {"ok":true,"state":"expanding"}: a fan-out held for
//                                      approval starts expanding; event "approved" "by WHO"
//   {"op":"reject","id":NOTIFICATION,"by":WHO,"reason":TEXT}
//                                      {"ok":true,"state":"rejected"}: nothing is sent;
//                                      event "rejected" "by WHO: TEXT"
//   {"op":"receipt","provider":NAME,"receipts":[...]}   see receipts.cpp
//   {"op":"schedule","action":...}    schedules: put, remove, pause, resume (schedules.hpp)
//   {"op":"track","events":[{"delivery_id","status":"read"|"clicked","url"}...]}
//                                      {"ok":true,"recorded":N,"duplicate":N,"ignored":N}:
//                                      opens and clicks of tracked email (receipts.cpp)
// Errors: {"error":{"code":C,"message":M,"kind","field"}} (wire::encode_error)
// with C invalid_request, unknown_op,
// not_found, or not_pending_approval (approve or reject of a send not held).
// Deliveries in flight cannot be called back: they are canceled if their attempt
// fails, and counted as in_flight.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "router.hpp"
#include "sockets.hpp"
#include "store/presence.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"

namespace notify::router {

using nlohmann::json;

namespace {
// Seqs named by nudges kept for one round at most.
constexpr std::size_t kMaxUrgent = 10 * wire::kNudgeHighMax;

std::string error_reply(const std::string& code, const std::string& message) {
    return wire::encode_error(make_error(ErrorKind::invalid, code, message));
}
}  // namespace

void Router::on_control_frame(const std::string& identity, const std::string& frame,
                              bool delimiter) {
    json request = util::json_or_discarded(frame);
    std::string op = request.is_object() && request.contains("op") && request["op"].is_string()
                         ? request["op"].get<std::string>()
                         : std::string();
    if (op == "nudge") {
        sweep_requested_ = true;
        scan_requested_ = true;
        auto high = request.find("high");
        if (high != request.end() && high->is_array())
            for (const json& seq : *high) {
                if (urgent_.size() >= kMaxUrgent) break;  // the sweep finds the rest
                if (seq.is_number_integer()) urgent_.push_back(seq.get<std::int64_t>());
            }
        return;
    }
    // What follows reads what the router wrote, or writes itself.
    if (op != "metrics" && op != "providers" && op != "ping") settle_commit(util::now_ms(), true);
    std::string reply;
    if (op == "metrics") {
        reply = metrics_.render(gauges());
        // Serving some partitions, its figures are some of the deliveries':
        // ingest merges them with the others', told apart by router
        // (ingest/router_replies.hpp).
        if (!partitions_.holds_all())
            reply = json{{"metrics", std::move(reply)},
                         {"router", presence_ ? presence_->id() : config_.router.control}}
                        .dump(-1, ' ', false, json::error_handler_t::replace);
    } else if (op == "providers") {
        reply = providers_reply(util::now_ms());
    } else if (op == "ping") {
        reply = json{{"ok", true},
                     {"active", active_.size() + sleepers_.size()},
                     {"workers", workers_.size()},
                     {"expanding", expander_.expanding()}}
                    .dump();
    } else if (op == "cancel" || op == "resend") {
        auto id = request.value("id", std::string());
        if (id.empty()) {
            reply = error_reply("invalid_request", "'" + op + "' needs an 'id'");
        } else {
            sweep();  // the notification may be newer than the last sweep
            auto by = request.find("by");
            reply = op == "cancel"
                        ? cancel(id, by != request.end() && by->is_string() ? by->get<std::string>()
                                                                            : std::string())
                        : resend(id);
            // Commit before answering, so that whoever asked reads the new states.
            flush_log(util::now_ms());
        }
    } else if (op == "approve" || op == "reject") {
        auto text = [&](const char* key) {
            auto it = request.find(key);
            return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        const std::string id = text("id"), reason = text("reason");
        if (id.empty())
            reply = error_reply("invalid_request", "'" + op + "' needs an 'id'");
        else if (op == "reject" && reason.empty())
            reply = error_reply("invalid_request", "'reject' needs a 'reason'");
        else
            reply = decide(op, id, text("by"), reason);
    } else if (op == "receipt") {
        auto answer = receipts(request, identity, delimiter);
        if (!answer) return;  // held until its flush (receipts.cpp)
        reply = std::move(*answer);
    } else if (op == "track") {
        reply = track(request);
    } else if (op == "schedule") {
        reply = schedules_.control(request, util::now_ms());
    } else {
        reply = error_reply("unknown_op", "unknown control request '" + op + "'");
    }
    Sockets::send_to(sockets_->control, identity, answering_for_partitions(std::move(reply)),
                     delimiter);
}

std::string Router::answering_for_partitions(std::string reply) const {
    if (partitions_.holds_all() || reply.empty() || reply.front() != '{') return reply;
    json j = json::parse(reply, nullptr, false);
    if (!j.is_object()) return reply;
    j["partitions"] = partitions_.describe();
    j["of"] = partitions_.count();
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Router::cancel(const std::string& notification_id, const std::string& by) {
    const Millis now = util::now_ms();
    // The fan-out first, so that nothing more of it is expanded (or approved);
    // then the deliveries it has made so far, like any others.
    auto stopped = fanouts_->cancel(notification_id, by, now);
    if (!stopped) {
        NLOG(warning, notification_id, "cancel not stored: " << stopped.error().message);
        return wire::encode_error(stopped.error());
    }
    if (*stopped) {
        expander_.drop(notification_id);
        NLOG(info, notification_id, "fan-out canceled" << (by.empty() ? "" : " by=") << by);
    }
    int canceled = 0, in_flight = 0;
    // The store must show the latest states: a delivery it has scheduled that
    // is not held here sleeps (sleepers.hpp).
    flush_log(now);
    if (log_.pending())
        return wire::encode_error(
            make_error(ErrorKind::unavailable, "store_unavailable",
                       "the store takes no writes now; nothing is canceled yet (try again)"));
    for (const Delivery& d : store_.deliveries_of(notification_id)) {
        if (!partitions_.serves(d)) continue;  // its own router's to cancel
        auto it = active_.find(d.id);
        if (it == active_.end()) {
            if (d.state == DeliveryState::scheduled && d.seq <= last_seq_) {
                Entry asleep = entry_of(d);
                transition(d.id, asleep, DeliveryState::canceled, "canceled", "canceled by request",
                           now);
                sleepers_.forget(d.seq, asleep.channel_index);
                ++canceled;
            }
            continue;
        }
        Entry& e = it->second;
        if (e.state == DeliveryState::in_flight) {
            e.cancel_requested = true;
            ++in_flight;
            continue;
        }
        transition(d.id, e, DeliveryState::canceled, "canceled", "canceled by request", now);
        ++canceled;
    }
    json reply{{"ok", true}, {"canceled", canceled}, {"in_flight", in_flight}};
    if (*stopped) reply["fanout"] = store::to_string(store::FanoutState::canceled);
    return reply.dump();
}

std::string Router::resend(const std::string& notification_id) {
    const Millis now = util::now_ms();
    flush_log(now);  // the store must show the latest states before they are read
    int requeued = 0;
    for (const Delivery& d : store_.deliveries_of(notification_id)) {
        // Only what did not go out: a sent delivery is not repeated, an expired one stays
        // worthless, a suppressed one stays what its recipient asked for.
        if ((d.state != DeliveryState::failed && d.state != DeliveryState::canceled) ||
            active_.count(d.id) || !partitions_.serves(d))
            continue;
        if (d.expires_at && now >= d.expires_at) continue;
        Delivery again = d;
        again.attempts = 0;
        again.created_at = now;  // a resend starts a new lifetime and a new count of attempts
        // One whose send_at is still ahead waits for that time again, and
        // whatever holds it then (holds.hpp) holds it again.
        const FactsRef facts = facts_.get(notification_id);
        const bool later = facts->send_at > now;
        again.state = later ? DeliveryState::scheduled : DeliveryState::queued;
        again.next_attempt_at = later ? facts->send_at : 0;
        const auto hold = holds_.check(again, *facts, std::max(now, again.next_attempt_at));
        if (hold) {
            again.state = DeliveryState::scheduled;
            again.next_attempt_at = hold->until;
        }
        Entry e = entry_of(again);
        transition(d.id, e, again.state, "resend",
                   "requeued by request (was " + std::string(to_string(d.state)) + ")", now);
        if (hold) note_held(d.id, e, *hold, now);
        // Awake: its new lifetime (created_at) is kept only here.
        admit(again, /*may_sleep=*/false);
        ++requeued;
    }
    NLOG(info, notification_id, "resend requeued=" << requeued);
    return json{{"ok", true}, {"requeued", requeued}}.dump();
}

std::string Router::decide(const std::string& op, const std::string& notification_id,
                           const std::string& by, const std::string& reason) {
    // The router expanding the fan-out decides: another's reply says so.
    if (!partitions_.serves_key(notification_id))
        return json{{"ok", true}, {"not_served", true}}.dump();
    const bool approve = op == "approve";
    const std::string who = by.empty() ? "an administrator" : by;
    auto state = fanouts_->decide(notification_id, approve, who, reason, util::now_ms());
    if (!state) return wire::encode_error(state.error());
    NLOG(info, notification_id,
         (approve ? "approved" : "rejected")
             << " by=" << who << (reason.empty() ? "" : " reason=") << reason);
    if (approve) expander_.scan(partitions_);
    return json{{"ok", true}, {"state", store::to_string(*state)}}.dump();
}

}  // namespace notify::router
