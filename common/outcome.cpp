#include "outcome.hpp"

#include "model.hpp"

namespace notify {

std::map<std::string, long> delivery_state_counts(const nlohmann::json& notification) {
    std::map<std::string, long> out;
    auto states = notification.find("states");
    if (states != notification.end() && states->is_object() && !states->empty()) {
        for (const auto& [state, count] : states->items())
            out[state] = count.is_number() ? count.get<long>() : 0;
        return out;
    }
    auto listed = notification.find("deliveries");
    if (listed == notification.end() || !listed->is_array()) return out;
    for (const auto& d : *listed) {
        auto state = d.find("state");
        ++out[state != d.end() && state->is_string() ? state->get<std::string>() : ""];
    }
    return out;
}

namespace {

bool is_final_state(const std::string& state) {
    auto s = parse_delivery_state(state);
    return s && is_final(*s);
}

}  // namespace

bool has_ended(const nlohmann::json& notification) {
    const auto counts = delivery_state_counts(notification);
    for (const auto& [state, count] : counts)
        if (count > 0 && !is_final_state(state)) return false;
    auto fanout = notification.find("fanout");
    if (fanout != notification.end() && fanout->is_object()) {
        auto state = fanout->find("state");
        const std::string s =
            state != fanout->end() && state->is_string() ? state->get<std::string>() : "";
        return s == "done" || s == "rejected" || s == "canceled";
    }
    return !counts.empty();
}

}  // namespace notify
