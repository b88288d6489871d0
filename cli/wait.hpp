// wait.hpp - `notifyctl send --wait`: follow one notification until every
// delivery is in a final state (sent, failed, expired, suppressed, canceled).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "client.hpp"
#include "command.hpp"

namespace notify::cli {

// How long notify-ingest may hold one request (?wait=) at most; a longer
// wait takes several.
constexpr Millis kHeldAtMost = 60000;
// An answer that comes more than this before its wait was over came early.
constexpr Millis kEarly = 50;
// The first pause before asking again after an early answer.
constexpr Millis kFirstPause = 5;

// Asks GET /v1/notifications/{id}?wait= with what is left of `timeout`, which
// notify-ingest answers once every delivery has ended (outcome.hpp), and
// prints one line per delivery then: on stderr, or as JSON Lines on stdout
// with --json. Returns 0 when every delivery was sent or suppressed, 1 when
// any failed, expired or was canceled, 75 after `timeout`.
int wait_for_deliveries(Context& ctx, Api& api, const std::string& id, Millis timeout);

// GET /v1/notifications/{id}, held for up to `wait` (at most kHeldAtMost) when
// it is positive.
Request held_get(const std::string& id, Millis wait);
// After an answer that took `took` of a request asked to be held
// `asked_to_hold`: when it came early without the end, sleeps `pause` and
// returns the next pause (doubling up to 1 s); else returns kFirstPause.
Millis pause_after_early_answer(Millis took, Millis asked_to_hold, Millis pause);

// The exit code for a notification whose deliveries have all ended.
int final_exit_code(const nlohmann::json& notification);

}  // namespace notify::cli
