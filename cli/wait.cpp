// wait.cpp - polling a notification until its deliveries end, for
// `notifyctl send --wait` in scripts that must know the outcome.
#include "wait.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include "model.hpp"
#include "output.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

const nlohmann::json& deliveries_of(const nlohmann::json& n) {
    static const nlohmann::json none = nlohmann::json::array();
    auto it = n.find("deliveries");
    return it != n.end() && it->is_array() ? *it : none;
}

bool is_final_state(const std::string& state) {
    auto s = parse_delivery_state(state);
    return s && is_final(*s);
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

namespace {

// The counts of deliveries by state: "states" covers every delivery of one
// notification, also when the answer lists only the first of them.
std::map<std::string, long> state_counts(const nlohmann::json& notification) {
    std::map<std::string, long> out;
    auto it = notification.find("states");
    if (it != notification.end() && it->is_object() && !it->empty()) {
        for (const auto& [state, count] : it->items())
            out[state] = count.is_number() ? count.get<long>() : 0;
        return out;
    }
    for (const auto& d : deliveries_of(notification)) ++out[member(d, "state")];
    return out;
}

}  // namespace

bool all_final(const nlohmann::json& notification) {
    auto counts = state_counts(notification);
    return !counts.empty() && std::all_of(counts.begin(), counts.end(),
                                          [](const auto& c) { return is_final_state(c.first); });
}

int final_exit_code(const nlohmann::json& notification) {
    for (const auto& [state, count] : state_counts(notification))
        if (count > 0 && state != "sent" && state != "delivered" && state != "suppressed")
            return exit_wait_failed;
    return exit_ok;
}

int wait_for_deliveries(Context& ctx, Api& api, const std::string& id, Millis timeout) {
    Millis deadline = util::steady_ms() + timeout;
    Millis pause = 5;
    Request req{"GET", "/v1/notifications/" + path_segment(id), {}, nullptr};
    nlohmann::json n;
    for (;;) {
        if (int rc = api.call(req, "wait: '" + id + "'", n)) return rc;
        if (all_final(n)) break;
        Millis left = deadline - util::steady_ms();
        if (left <= 0) {
            return fail(ctx, exit_temp,
                        "wait: '" + id + "': deliveries still pending after " +
                            util::format_duration(timeout) + " (" +
                            states_summary(n.value("states", nlohmann::json::object())) +
                            "); follow it with 'notifyctl status " + id + "'");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(pause, left)));
        pause = std::min<Millis>(pause * 2, 1000);
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
