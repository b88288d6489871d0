// control.cpp - `notifyctl resend ID` and `notifyctl cancel ID`: ask
// notify-ingest to requeue a notification's failed deliveries, or to cancel
// those not yet sent, and say what happened.
#include <CLI/CLI.hpp>

#include <memory>

#include "client.hpp"
#include "command.hpp"
#include "output.hpp"

namespace notify::cli {

namespace {

struct Action {
    const char* verb;     // path suffix: "cancel", "resend"
    const char* counted;  // the reply's count member
    const char* done;     // what the message says happened
};

Runner setup_action(CLI::App& cmd, Context& ctx, Action action, const char* example) {
    auto id = std::make_shared<std::string>();
    cmd.add_option("ID", *id, "the notification id")->required();
    cmd.footer(std::string("Example:\n  ") + example);
    return [id, &ctx, action]() -> int {
        Api api(ctx);
        if (int rc = api.open()) return rc;
        nlohmann::json body;
        Request req{
            "POST", "/v1/notifications/" + path_segment(*id) + "/" + action.verb, {}, nullptr};
        if (int rc = api.call(req, std::string(action.verb) + " '" + *id + "'", body)) return rc;
        if (ctx.globals.json) {
            print_json(ctx.out, body);
        } else if (!ctx.globals.quiet) {
            std::int64_t n = body.value(action.counted, std::int64_t{0});
            ctx.out << action.done << " " << count_of(n, "delivery", "deliveries") << " of "
                    << member(body, "id", *id);
            // cancel: a delivery being attempted right now is canceled only if that
            // attempt fails; a success stands.
            std::int64_t in_flight = body.value("in_flight", std::int64_t{0});
            if (in_flight > 0)
                ctx.out << "; " << in_flight << " in flight will be canceled if its attempt fails";
            ctx.out << "\n";
        }
        return exit_ok;
    };
}

}  // namespace

Runner setup_resend(CLI::App& cmd, Context& ctx) {
    return setup_action(cmd, ctx, {"resend", "requeued", "requeued"},
                        "notifyctl resend 01JD8X3T6Q4M9V2K7C5B0RZP1A");
}

Runner setup_cancel(CLI::App& cmd, Context& ctx) {
    return setup_action(cmd, ctx, {"cancel", "canceled", "canceled"},
                        "notifyctl cancel 01JD8X3T6Q4M9V2K7C5B0RZP1A");
}

}  // namespace notify::cli
