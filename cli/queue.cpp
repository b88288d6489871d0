// queue.cpp - `notifyctl queue`, in the spirit of mailq: what waits to be
// delivered, one row per priority, channel and state, with the age of the
// oldest, and a total line. --json prints JSON Lines, one row per line.
#include <CLI/CLI.hpp>

#include "client.hpp"
#include "command.hpp"
#include "output.hpp"
#include "queue.hpp"
#include "util/time.hpp"

namespace notify::cli {

// "1h30m" for a number of seconds; "-" when the reply has none.
std::string age_text(const nlohmann::json& seconds) {
    if (!seconds.is_number()) return "-";
    double s = seconds.get<double>();
    if (s < 1) return "0s";
    return util::format_duration(static_cast<Millis>(s) * 1000);
}

// The rows and total of a GET /v1/queue body, as people read them.
void print_queue(std::ostream& out, const nlohmann::json& rows) {
    if (rows.empty()) {
        out << "queue is empty\n";
        return;
    }
    Table table({"PRIORITY", "CHANNEL", "STATE", "COUNT", "OLDEST-AGE"});
    std::int64_t total = 0;
    for (const auto& r : rows) {
        std::int64_t n = r.value("count", std::int64_t{0});
        total += n;
        table.add({member(r, "priority"), member(r, "channel"), member(r, "state"),
                   std::to_string(n), age_text(r.value("oldest_age_seconds", nlohmann::json()))});
    }
    table.print(out);
    out << "-- " << count_of(total, "delivery", "deliveries") << " waiting\n";
}

Runner setup_queue(CLI::App& cmd, Context& ctx) {
    cmd.footer(
        "Rows count deliveries that have not ended (scheduled, queued, in-flight,\n"
        "deferred); OLDEST-AGE is how long the oldest of them has waited.\n\n"
        "Example:\n"
        "  notifyctl queue --json | jq 'select(.state == \"deferred\")'");
    return [&ctx]() -> int {
        Api api(ctx);
        if (int rc = api.open()) return rc;
        nlohmann::json body;
        if (int rc = api.call(Request{"GET", "/v1/queue", {}, nullptr}, "queue", body)) return rc;
        const auto rows = body.value("queue", nlohmann::json::array());
        if (ctx.globals.json) {
            for (const auto& r : rows) print_json(ctx.out, r);
        } else {
            print_queue(ctx.out, rows);
        }
        return exit_ok;
    };
}

}  // namespace notify::cli
