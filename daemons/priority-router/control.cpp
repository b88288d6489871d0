// control.cpp - requests on router.control: nudges from ingest (new work is in
// the store), and cancel and resend from operators through ingest.
//   {"op":"nudge"}                     no reply
//   {"op":"ping"}                      {"ok":true,"active":N,"workers":N}
//   {"op":"cancel","id":NOTIFICATION}  {"ok":true,"canceled":N,"in_flight":N}
//   {"op":"resend","id":NOTIFICATION}  {"ok":true,"requeued":N}: failed and canceled
//                                      deliveries go again (not sent, expired or suppressed)
// Deliveries in flight cannot be called back: they are canceled if their attempt
// fails, and counted as in_flight.
#include <nlohmann/json.hpp>

#include "router.hpp"
#include "sockets.hpp"
#include "util/log.hpp"

namespace notify::router {

using nlohmann::json;

namespace {
std::string error_reply(const std::string& code, const std::string& message) {
    return json{{"error", {{"code", code}, {"message", message}}}}.dump();
}
}  // namespace

void Router::on_control_frame(const std::string& identity, const std::string& frame,
                              bool delimiter) {
    json request = json::parse(frame, nullptr, false);
    std::string op = request.is_object() && request.contains("op") && request["op"].is_string()
                         ? request["op"].get<std::string>()
                         : std::string();
    if (op == "nudge") {
        sweep_requested_ = true;
        return;
    }
    std::string reply;
    if (op == "ping") {
        reply = json{{"ok", true}, {"active", active_.size()}, {"workers", workers_.size()}}.dump();
    } else if (op == "cancel" || op == "resend") {
        auto id = request.value("id", std::string());
        if (id.empty()) {
            reply = error_reply("invalid_request", "'" + op + "' needs an 'id'");
        } else {
            sweep();  // the notification may be newer than the last sweep
            reply = op == "cancel" ? cancel(id) : resend(id);
            // Commit before answering, so that whoever asked reads the new states.
            log_.flush();
        }
    } else {
        reply = error_reply("unknown_op", "unknown control request '" + op + "'");
    }
    Sockets::send_to(sockets_->control, identity, reply, delimiter);
}

std::string Router::cancel(const std::string& notification_id) {
    const Millis now = util::now_ms();
    int canceled = 0, in_flight = 0;
    for (const Delivery& d : store_.deliveries_of(notification_id)) {
        auto it = active_.find(d.id);
        if (it == active_.end()) continue;
        Entry& e = it->second;
        if (e.state == DeliveryState::in_flight) {
            e.cancel_requested = true;
            ++in_flight;
            continue;
        }
        transition(d.id, e, DeliveryState::canceled, "canceled", "canceled by request", now);
        ++canceled;
    }
    return json{{"ok", true}, {"canceled", canceled}, {"in_flight", in_flight}}.dump();
}

std::string Router::resend(const std::string& notification_id) {
    const Millis now = util::now_ms();
    log_.flush();  // the store must show the latest states before they are read
    int requeued = 0;
    for (const Delivery& d : store_.deliveries_of(notification_id)) {
        // Only what did not go out: a sent delivery is not repeated, an expired one stays
        // worthless, a suppressed one stays what its recipient asked for.
        if ((d.state != DeliveryState::failed && d.state != DeliveryState::canceled) ||
            active_.count(d.id))
            continue;
        if (d.expires_at && now >= d.expires_at) continue;
        Delivery again = d;
        again.attempts = 0;
        again.created_at = now;  // a resend starts a new lifetime and a new count of attempts
        // One canceled before its send_at waits for that time again.
        again.state = d.attempts == 0 && d.next_attempt_at > now ? DeliveryState::scheduled
                                                                 : DeliveryState::queued;
        admit(again);
        transition(d.id, active_.at(d.id), again.state, "resend",
                   "requeued by request (was " + std::string(to_string(d.state)) + ")", now);
        ++requeued;
    }
    NLOG(info, notification_id, "resend requeued=" << requeued);
    return json{{"ok", true}, {"requeued", requeued}}.dump();
}

}  // namespace notify::router
