// api_actions.cpp - POST /v1/notifications/{id}/cancel|resend|approve|reject,
// forwarded to the router that owns delivery state. cancel answers
// {"id","canceled","in_flight"}, resend {"id","requeued"}, approve and reject
// {"id","state"}. reject needs {"reason": TEXT}; both record who decided: the
// API key's name, or over the trusted ipc socket the "by" notifyctl sends (the
// operator's login name).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "api.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

Error read_failure() {
    return make_error(ErrorKind::unavailable, "store_unavailable", "the store cannot be read");
}

// The recipients a notification has: its deliveries, or its fan-out's total
// when that is more (deliveries not yet expanded); nullopt when it does not
// exist or is another key's; an error when the store cannot be read.
Expected<std::optional<long>> recipients_of(store::Store& store, const std::string& id,
                                            const Principal& who) {
    try {
        auto v = store.get_notification(id, false, 0);
        if (!v) {
            if (v.error().kind == ErrorKind::not_found) return std::optional<long>();
            return read_failure();
        }
        if (!owns(who, v->notification)) return std::optional<long>();
        std::int64_t n = v->deliveries_total;
        if (v->fanout) n = std::max(n, v->fanout->total);
        return std::optional<long>(static_cast<long>(n));
    } catch (...) {
        return read_failure();
    }
}

Error unknown_id(const std::string& id) {
    return make_error(ErrorKind::not_found, "not_found", "no notification '" + id + "'");
}

constexpr size_t kMaxReason = 1000;
constexpr size_t kMaxBy = 128;

Error not_pending(const std::string& id, const std::string& state) {
    return make_error(
        ErrorKind::conflict, "not_pending_approval",
        "notification '" + id + "' is not pending approval" +
            (state.empty() ? std::string(" (it is not a bulk send)") : " (it is " + state + ")"));
}

// The fan-out state of a notification as stored: "" for a notification without
// one, nullopt when it does not exist; an error when the store cannot be read.
Expected<std::optional<std::string>> stored_fanout_state(store::Store& store,
                                                         const std::string& id) {
    try {
        auto v = store.get_notification(id, false, 0);
        if (!v) {
            if (v.error().kind == ErrorKind::not_found) return std::optional<std::string>();
            return read_failure();
        }
        return std::optional<std::string>(v->fanout ? store::to_string(v->fanout->state) : "");
    } catch (...) {
        return read_failure();
    }
}

struct Decision {
    std::string by;
    std::string reason;
};

// The body of approve (may be empty) or reject (needs "reason").
Expected<Decision> read_decision(const Request& req, const Principal& who,
                                 const std::string& action) {
    Decision d{who.name, {}};
    json body = json::object();
    if (!req.body.empty()) {
        body = util::json_or_discarded(req.body);
        if (body.is_discarded())
            return make_error(ErrorKind::invalid, "malformed_json",
                              "the body of '" + action + "' is not JSON");
        if (body.is_null()) body = json::object();
        if (!body.is_object())
            return make_error(ErrorKind::invalid, "invalid_request",
                              "the body of '" + action + "' must be a JSON object");
    }
    for (const auto& [key, value] : body.items()) {
        if (key != "reason" && key != "by")
            return make_error(
                ErrorKind::invalid, "unknown_field",
                "unknown field '" + key + "'" + util::did_you_mean(key, {"reason", "by"}), key);
        if (!value.is_string())
            return make_error(ErrorKind::invalid, "invalid_type", "'" + key + "' must be a string",
                              key);
    }
    d.reason = util::trim(body.value("reason", std::string()));
    if (d.reason.size() > kMaxReason)
        return make_error(ErrorKind::invalid, "too_long",
                          "'reason' is longer than " + std::to_string(kMaxReason) + " bytes",
                          "reason");
    if (action == "reject" && d.reason.empty())
        return make_error(ErrorKind::invalid, "missing_field",
                          "'reason' is required to reject a notification", "reason");
    // Only notifyctl over the ipc socket may name the operator; an API key is
    // its own name.
    std::string by = util::trim(body.value("by", std::string()));
    if (req.trusted && !by.empty()) d.by = util::cut_utf8(by, kMaxBy);
    return d;
}

}  // namespace

void Api::control_action(const std::string& id, const std::string& action, const Principal& who,
                         Reply done) {
    auto recipients = recipients_of(reads_, id, who);
    if (!recipients) return fail(done, recipients.error());
    if (!*recipients) return fail(done, unknown_id(id));
    // A resend sends again: its deliveries count against the key's recipients
    // of the day like a new send; what the router does not requeue is given back.
    long reserved = 0;
    if (action == "resend") {
        if (auto refused = limits_.reserve_recipients(who, **recipients, util::now_ms()))
            return refuse(done, *refused);
        reserved = **recipients;
    }
    std::string counter = action == "cancel" ? "canceled" : "requeued";
    std::string request = json{{"op", action}, {"id", id}, {"by", who.name}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
    Reply answered = [this, who, reserved, done = std::move(done)](Response r) {
        if (reserved > 0) {
            long used = 0;
            if (r.status >= 200 && r.status < 300) {
                json b = util::json_or_discarded(r.body);
                if (b.is_object() && b.contains("requeued") && b["requeued"].is_number_integer())
                    used = std::min(reserved, b["requeued"].get<long>());
            }
            if (used < reserved) limits_.release_recipients(who, reserved - used, util::now_ms());
        }
        done(std::move(r));
    };
    control_.call(request, [this, done = std::move(answered), id, action,
                            counter](Expected<std::string> reply) {
        guarded(done, [&] { answer_action(done, id, action, counter, reply); });
    });
}

Expected<json> router_answer(const Expected<std::string>& reply, const std::string& what) {
    if (!reply)
        return make_error(ErrorKind::unavailable, "router_unavailable",
                          "the router did not answer on its control socket (" +
                              reply.error().message + "); is notify-priority-router running?");
    json r = util::json_or_discarded(*reply);
    if (r.is_object() && r.value("ok", false)) return r;
    if (r.is_object() && r.contains("error") && r["error"].is_object()) {
        const json& e = r["error"];
        auto text = [&e](const char* key, const std::string& otherwise) {
            auto it = e.find(key);
            return it != e.end() && it->is_string() ? it->get<std::string>() : otherwise;
        };
        const std::string code = text("code", "router_error");
        ErrorKind kind = code == "not_found" ? ErrorKind::not_found : ErrorKind::conflict;
        const std::string named = text("kind", "");
        for (ErrorKind k : {ErrorKind::invalid, ErrorKind::conflict, ErrorKind::not_found,
                            ErrorKind::unavailable, ErrorKind::too_large})
            if (named == to_string(k)) kind = k;
        return make_error(kind, code, text("message", "the router refused '" + what + "'"),
                          text("field", ""));
    }
    return router_misunderstood();
}

Error router_misunderstood() {
    return make_error(ErrorKind::unavailable, "router_unavailable",
                      "the router gave an answer this version does not understand");
}

void Api::answer_action(const Reply& done, const std::string& id, const std::string& action,
                        const std::string& counter, const Expected<std::string>& reply) {
    auto answer = router_answer(reply, action);
    if (!answer) return fail_router(done, answer.error());
    const json& r = *answer;
    auto count = [&r](const std::string& name) -> long {
        auto it = r.find(name);
        return it != r.end() && it->is_number_integer() ? it->get<long>() : 0;
    };
    long n = count(counter);
    json body{{"id", id}, {counter, n}};
    // cancel: deliveries being attempted now are canceled only if that attempt
    // fails; the router counts them apart.
    if (action == "cancel") {
        long in_flight = count("in_flight");
        body["in_flight"] = in_flight;
        // A fan-out stopped before all its deliveries were made.
        if (auto f = r.find("fanout"); f != r.end() && f->is_string()) body["fanout"] = *f;
        NLOG(info, id, action << " " << counter << "=" << n << " in_flight=" << in_flight);
    } else {
        NLOG(info, id, action << " " << counter << "=" << n);
    }
    Response resp;
    resp.status = 200;
    resp.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    done(std::move(resp));
}

void Api::fail_router(const Reply& done, const Error& e) {
    // A state the router refuses to change from is a conflict.
    if (e.kind == ErrorKind::conflict) return fail(done, 409, e);
    fail(done, e);
}

void Api::approval_action(const std::string& id, const std::string& action, const Request& req,
                          const Principal& who, Reply done) {
    auto state = stored_fanout_state(reads_, id);
    if (!state) return fail(done, state.error());
    if (!*state) return fail(done, unknown_id(id));
    auto decision = read_decision(req, who, action);
    if (!decision) return fail(done, decision.error());
    // A fan-out never returns to pending approval, so the stored state is
    // enough to refuse; a pending one is decided by the router.
    if (**state != store::to_string(store::FanoutState::pending_approval))
        return fail(done, 409, not_pending(id, **state));

    json request{{"op", action}, {"id", id}, {"by", decision->by}};
    if (action == "reject") request["reason"] = decision->reason;
    control_.call(
        request.dump(-1, ' ', false, json::error_handler_t::replace),
        [this, done = std::move(done), id, action, by = decision->by](Expected<std::string> reply) {
            guarded(done, [&] {
                auto answer = router_answer(reply, action);
                if (!answer) return fail_router(done, answer.error());
                if (!answer->contains("state") || !(*answer)["state"].is_string())
                    return fail(done, router_misunderstood());
                std::string now = (*answer)["state"];
                NLOG(info, id, action << " by=" << by << " state=" << now);
                Response resp;
                resp.status = 200;
                resp.body = json{{"id", id}, {"state", now}}.dump(-1, ' ', false,
                                                                  json::error_handler_t::replace);
                done(std::move(resp));
            });
        });
}

}  // namespace notify::ingest
