// queue.hpp - the text form of `notifyctl queue`, apart for its tests.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

namespace notify::cli {

// "1h30m" for a number of seconds; "-" when there is none.
std::string age_text(const nlohmann::json& seconds);
// The rows of a GET /v1/queue body as a table and a total line, or
// "queue is empty".
void print_queue(std::ostream& out, const nlohmann::json& rows);
// The providers of a GET /v1/providers body as a table: each one's channels,
// breaker state, failures in a row, and when it opens again or what probes it.
void print_providers(std::ostream& out, const nlohmann::json& providers);

}  // namespace notify::cli
