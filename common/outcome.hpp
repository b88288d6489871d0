// outcome.hpp - whether a notification has come to its end, read from the
// API's rendering of it (GET /v1/notifications/{id}): notify-ingest holds an
// answer to ?wait= until it has, and `notifyctl send --wait` stops following
// it then. One rule for both.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace notify {

// The number of its deliveries in each state: from "states", which counts
// every delivery, also when "deliveries" lists only the first of them; from
// the deliveries listed when there is no "states".
std::map<std::string, long> delivery_state_counts(const nlohmann::json& notification);

// Nothing more will happen to it: a fan-out, if it has one, is done, rejected
// or canceled, and every delivery has ended (sent, delivered, failed, expired,
// suppressed, canceled). Without a fan-out, a notification with no delivery
// at all has not ended.
bool has_ended(const nlohmann::json& notification);

}  // namespace notify
