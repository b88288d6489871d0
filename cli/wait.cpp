// wait.cpp - following a notification until its deliveries end, for
// `notifyctl send --wait` in scripts that must know the outcome.
#include "wait.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "model.hpp"
#include "outcome.hpp"
#include "output.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

const nlohmann::json& deliveries_of(const nlohmann::json& n) {
    static const nlohmann::json none = nlohmann::json::array();
    auto it = n.find("deliveries");
    return it != n.end() && it->is_array() ? *it : none;
}

std::string delivery_line(const nlohmann::json& d) {
    std::string state = member(d, "state", "?");
    std::string line = member(d, "id", "?") + "  " + member(d, "to", "-") + "  " + state;
    std::string provider = member(d, "provider");
    if (state == "sent" || state == "delivered") {
        if (!provider.empty()) line += "  via " + provider;
        std::string pmid = member(d, "provider_message_id");
        if (!pmid.empty()) line += " (" + pmid + ")";
    } else {
        std::string why = member(d, "last_error");
        if (!why.empty()) line += ": " + why;
    }
    return line;
}

}  // namespace

Request held_get(const std::string& id, Millis wait) {
    Request req{"GET", "/v1/notifications/" + path_segment(id), {}, nullptr};
    if (wait > 0) {
        req.held = std::min(wait, kHeldAtMost);
        req.query["wait"] = std::to_string(req.held) + "ms";
    }
    return req;
}

Millis pause_after_early_answer(Millis took, Millis asked_to_hold, Millis pause) {
    // notify-ingest answers a held request early only when the notification
    // has ended, or when it stops: anything else (an ingest that does not
    // hold) is asked again after a pause, not at once.
    if (took + kEarly >= std::min(asked_to_hold, kHeldAtMost)) return kFirstPause;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(pause, asked_to_hold - took)));
    return std::min<Millis>(pause * 2, 1000);
}

int final_exit_code(const nlohmann::json& notification) {
    for (const auto& [state, count] : delivery_state_counts(notification))
        if (count > 0 && state != "sent" && state != "delivered" && state != "suppressed")
            return exit_wait_failed;
    return exit_ok;
}

int wait_for_deliveries(Context& ctx, Api& api, const std::string& id, Millis timeout) {
    const Millis deadline = util::steady_ms() + timeout;
    nlohmann::json n;
    for (Millis pause = kFirstPause;;) {
        const Millis asked = util::steady_ms();
        if (int rc = api.call(held_get(id, deadline - asked), "wait: '" + id + "'", n)) return rc;
        if (has_ended(n)) break;
        const Millis now = util::steady_ms();
        if (now >= deadline) {
            return fail(ctx, exit_temp,
                        "wait: '" + id + "': deliveries still pending after " +
                            util::format_duration(timeout) + " (" +
                            states_summary(n.value("states", nlohmann::json::object())) +
                            "); follow it with 'notifyctl status " + id + "'");
        }
        pause = pause_after_early_answer(now - asked, deadline - asked, pause);
    }
    for (const auto& d : deliveries_of(n)) {
        if (ctx.globals.json)
            print_json(ctx.out, d);
        else if (!ctx.globals.quiet)
            ctx.err << delivery_line(d) << "\n";
    }
    return final_exit_code(n);
}

}  // namespace notify::cli
