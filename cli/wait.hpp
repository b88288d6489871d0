// wait.hpp - `notifyctl send --wait`: follow one notification until every
// delivery is in a final state (sent, failed, expired, suppressed, canceled).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "client.hpp"
#include "command.hpp"

namespace notify::cli {

// Polls GET /v1/notifications/{id} (at once, then 5 ms later, backing off to
// 1 s) and prints one line per delivery when all have ended: on stderr, or as JSON
// Lines on stdout with --json. Returns 0 when every delivery was sent or
// suppressed, 1 when any failed, expired or was canceled, 75 after `timeout`.
int wait_for_deliveries(Context& ctx, Api& api, const std::string& id, Millis timeout);

// Whether every delivery in a GET /v1/notifications/{id} body has ended.
bool all_final(const nlohmann::json& notification);
// The exit code for a notification whose deliveries have all ended.
int final_exit_code(const nlohmann::json& notification);

}  // namespace notify::cli
