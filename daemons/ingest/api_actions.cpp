// api_actions.cpp - POST /v1/notifications/{id}/cancel|resend, forwarded to the
// router that owns delivery state (cancel answers {"id","canceled","in_flight"},
// resend {"id","requeued"}), and approve|reject, which answer 409 until
// approvals exist.
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "util/log.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

// 1: found, 0: not found, -1: the store cannot be read.
int notification_exists(store::Store& store, const std::string& id) {
    try {
        auto v = store.get_notification(id, false);
        if (v) return 1;
        return v.error().kind == ErrorKind::not_found ? 0 : -1;
    } catch (...) {
        return -1;
    }
}

Error unknown_id(const std::string& id) {
    return make_error(ErrorKind::not_found, "not_found", "no notification '" + id + "'");
}

Error read_failure() {
    return make_error(ErrorKind::unavailable, "store_unavailable", "the store cannot be read");
}

}  // namespace

void Api::control_action(const std::string& id, const std::string& action, Reply done) {
    int exists = notification_exists(reads_, id);
    if (exists < 0) return fail(done, read_failure());
    if (exists == 0) return fail(done, unknown_id(id));
    std::string counter = action == "cancel" ? "canceled" : "requeued";
    std::string request =
        json{{"op", action}, {"id", id}}.dump(-1, ' ', false, json::error_handler_t::replace);
    control_.call(request,
                  [this, done = std::move(done), id, action, counter](Expected<std::string> reply) {
                      guarded(done, [&] { answer_action(done, id, action, counter, reply); });
                  });
}

void Api::answer_action(const Reply& done, const std::string& id, const std::string& action,
                        const std::string& counter, const Expected<std::string>& reply) {
    if (!reply)
        return fail(
            done, make_error(ErrorKind::unavailable, "router_unavailable",
                             "the router did not answer on its control socket (" +
                                 reply.error().message + "); is notify-priority-router running?"));
    json r = json::parse(*reply, nullptr, false);
    if (r.is_object() && r.value("ok", false)) {
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
            NLOG(info, id, action << " " << counter << "=" << n << " in_flight=" << in_flight);
        } else {
            NLOG(info, id, action << " " << counter << "=" << n);
        }
        Response resp;
        resp.status = 200;
        resp.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
        return done(std::move(resp));
    }
    if (r.is_object() && r.contains("error") && r["error"].is_object()) {
        const json& e = r["error"];
        std::string code = e.value("code", std::string("router_error"));
        std::string message =
            e.value("message", std::string("the router refused '" + action + "'"));
        if (code == "not_found") return fail(done, make_error(ErrorKind::not_found, code, message));
        return fail(done, 409, make_error(ErrorKind::conflict, code, message));
    }
    fail(done, make_error(ErrorKind::unavailable, "router_unavailable",
                          "the router gave an answer this version does not understand"));
}

void Api::approval_action(const std::string& id, const std::string& action, const Request&,
                          const Principal&, Reply done) {
    int exists = notification_exists(reads_, id);
    if (exists < 0) return fail(done, read_failure());
    if (exists == 0) return fail(done, unknown_id(id));
    fail(done, 409,
         make_error(ErrorKind::conflict, "not_pending_approval",
                    "notification '" + id +
                        "' is not pending approval (approvals arrive in a "
                        "later release, so nothing waits for '" +
                        action + "')"));
}

}  // namespace notify::ingest
