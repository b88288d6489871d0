#include "model.hpp"

namespace notify {

const char* to_string(Priority p) {
    switch (p) {
        case Priority::high:
            return "high";
        case Priority::medium:
            return "medium";
        case Priority::low:
            return "low";
    }
    return "medium";
}

std::optional<Priority> parse_priority(std::string_view text) {
    if (text == "high") return Priority::high;
    if (text == "medium" || text == "normal") return Priority::medium;
    if (text == "low") return Priority::low;
    return std::nullopt;
}

namespace {
constexpr DeliveryState kAllStates[] = {
    DeliveryState::scheduled, DeliveryState::queued,  DeliveryState::in_flight,
    DeliveryState::deferred,  DeliveryState::sent,    DeliveryState::delivered,
    DeliveryState::failed,    DeliveryState::expired, DeliveryState::suppressed,
    DeliveryState::canceled,
};
}

const char* to_string(DeliveryState s) {
    switch (s) {
        case DeliveryState::scheduled:
            return "scheduled";
        case DeliveryState::queued:
            return "queued";
        case DeliveryState::in_flight:
            return "in-flight";
        case DeliveryState::deferred:
            return "deferred";
        case DeliveryState::sent:
            return "sent";
        case DeliveryState::delivered:
            return "delivered";
        case DeliveryState::failed:
            return "failed";
        case DeliveryState::expired:
            return "expired";
        case DeliveryState::suppressed:
            return "suppressed";
        case DeliveryState::canceled:
            return "canceled";
    }
    return "queued";
}

std::optional<DeliveryState> parse_delivery_state(std::string_view text) {
    for (DeliveryState s : kAllStates)
        if (text == to_string(s)) return s;
    if (text == "in_flight") return DeliveryState::in_flight;
    return std::nullopt;
}

bool is_final(DeliveryState s) {
    switch (s) {
        case DeliveryState::sent:
        case DeliveryState::delivered:
        case DeliveryState::failed:
        case DeliveryState::expired:
        case DeliveryState::suppressed:
        case DeliveryState::canceled:
            return true;
        default:
            return false;
    }
}

std::vector<std::string> delivery_state_names() {
    std::vector<std::string> out;
    for (DeliveryState s : kAllStates) out.emplace_back(to_string(s));
    return out;
}

std::string notification_id_of(std::string_view delivery_id) {
    auto dot = delivery_id.find('.');
    return std::string(delivery_id.substr(0, dot));
}

std::string delivery_id_for(std::string_view notification_id, size_t index) {
    return std::string(notification_id) + "." + std::to_string(index + 1);
}

}  // namespace notify
