// queue.cpp - `notifyctl queue`, in the spirit of mailq: what waits to be
// delivered, one row per priority, channel and state, with the age of the
// oldest, and a total line; then each provider's circuit breaker (as the
// router has it: GET /v1/providers). --json prints JSON Lines, one row per
// line, of the queue, or of the providers with --providers.
#include <CLI/CLI.hpp>
#include <memory>

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

void print_providers(std::ostream& out, const nlohmann::json& providers) {
    Table table({"PROVIDER", "CHANNELS", "BREAKER", "FAILURES", "NOTE"});
    for (const auto& p : providers) {
        std::string channels;
        for (const auto& c : p.value("channels", nlohmann::json::array()))
            if (c.is_string()) channels += (channels.empty() ? "" : ",") + c.get<std::string>();
        const std::string state = member(p, "state");
        std::string note = "-";
        if (state == "open")
            note = "no attempts until " + member(p, "open_until") + " (cool-down " +
                   age_text(p.value("cooldown_seconds", nlohmann::json())) + ")";
        else if (state == "half-open")
            note = p.value("probe", nlohmann::json()).is_string()
                       ? "probed by delivery " + member(p, "probe")
                       : "the next attempt probes it";
        table.add({member(p, "provider"), channels.empty() ? "-" : channels, state,
                   std::to_string(p.value("failures", 0)), note});
    }
    table.print(out);
}

namespace {

struct QueueOptions {
    bool providers_only = false;
};

}  // namespace

Runner setup_queue(CLI::App& cmd, Context& ctx) {
    auto opts = std::make_shared<QueueOptions>();
    cmd.add_flag("--providers", opts->providers_only,
                 "Only the providers' circuit breakers (an error when the router does not "
                 "answer)");
    cmd.footer(
        "Rows count deliveries that have not ended (scheduled, queued, in-flight,\n"
        "deferred); OLDEST-AGE is how long the oldest of them has waited. Then each\n"
        "provider's circuit breaker: closed (attempts go to it), open (none do until\n"
        "its cool-down ends) or half-open (one attempt probes it).\n\n"
        "Examples:\n"
        "  notifyctl queue --json | jq 'select(.state == \"deferred\")'\n"
        "  notifyctl queue --providers --json | jq 'select(.state != \"closed\")'");
    return [&ctx, opts]() -> int {
        Api api(ctx);
        if (int rc = api.open()) return rc;
        const Request providers_request{"GET", "/v1/providers", {}, nullptr};
        nlohmann::json body;
        if (opts->providers_only) {
            if (int rc = api.call(providers_request, "providers", body)) return rc;
            const auto providers = body.value("providers", nlohmann::json::array());
            if (ctx.globals.json)
                for (const auto& p : providers) print_json(ctx.out, p);
            else
                print_providers(ctx.out, providers);
            return exit_ok;
        }
        if (int rc = api.call(Request{"GET", "/v1/queue", {}, nullptr}, "queue", body)) return rc;
        const auto rows = body.value("queue", nlohmann::json::array());
        if (ctx.globals.json) {
            for (const auto& r : rows) print_json(ctx.out, r);
            return exit_ok;
        }
        print_queue(ctx.out, rows);
        // The queue is read from the store; the breakers only the router knows.
        std::string error;
        if (api.ask(providers_request, "providers", body, error) != exit_ok) {
            warn(ctx, error);
            return exit_ok;
        }
        const auto providers = body.value("providers", nlohmann::json::array());
        if (providers.empty()) return exit_ok;
        ctx.out << "\n";
        print_providers(ctx.out, providers);
        return exit_ok;
    };
}

}  // namespace notify::cli
