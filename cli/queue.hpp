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

}  // namespace notify::cli
