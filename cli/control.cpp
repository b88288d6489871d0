// control.cpp - `notifyctl resend ID` and `notifyctl cancel ID`: ask
// notify-ingest to requeue a notification's failed deliveries, or to cancel
// those not yet sent, and say what happened. `notifyctl approve ID` and
// `notifyctl reject ID --reason TEXT` decide a send held for approval; the
// decision is recorded under the operator's login name.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <memory>

#include "client.hpp"
#include "command.hpp"
#include "input.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "util/strings.hpp"

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
            // A send to users or groups stopped before all its deliveries were made.
            if (member(body, "fanout") == "canceled")
                ctx.out << "; no more of its recipients will be expanded";
            ctx.out << "\n";
        }
        return exit_ok;
    };
}

struct Decision {
    std::string id;
    std::string reason;
};

Runner setup_decision(CLI::App& cmd, Context& ctx, const std::string& verb) {
    auto d = std::make_shared<Decision>();
    cmd.add_option("ID", d->id,
                   "the notification id, as 'notifyctl ls --status pending-approval' "
                   "lists them")
        ->required();
    if (verb == "reject") {
        cmd.add_option("--reason", d->reason, "why it is refused; shown in its activity log")
            ->required();
        cmd.footer(
            "Nothing of the notification is sent; its status shows who refused it and why.\n\n"
            "Example:\n"
            "  notifyctl reject 01JD8X3T6Q4M9V2K7C5B0RZP1A --reason 'wrong audience'");
    } else {
        cmd.footer(
            "The notification's recipients are expanded and its deliveries go out.\n\n"
            "Example:\n"
            "  notifyctl ls --status pending-approval\n"
            "  notifyctl approve 01JD8X3T6Q4M9V2K7C5B0RZP1A");
    }
    return [d, &ctx, verb]() -> int {
        nlohmann::json body{{"by", operator_name()}};
        if (verb == "reject") {
            std::string reason = util::trim(d->reason);
            if (reason.empty()) return fail(ctx, exit_usage, "reject: --reason must not be empty");
            if (auto st = utf8_arg(reason, "reject: --reason"); !st) return fail(ctx, st.error());
            body["reason"] = reason;
        }
        Api api(ctx);
        if (int rc = api.open()) return rc;
        nlohmann::json reply;
        Request req{
            "POST", "/v1/notifications/" + path_segment(d->id) + "/" + verb, {}, std::move(body)};
        if (int rc = api.call(req, verb + " '" + d->id + "'", reply)) return rc;
        if (ctx.globals.json)
            print_json(ctx.out, reply);
        else if (!ctx.globals.quiet)
            ctx.out << (verb == "reject" ? "rejected " : "approved ") << member(reply, "id", d->id)
                    << " (now " << member(reply, "state", "?") << ")\n";
        return exit_ok;
    };
}

}  // namespace

Runner setup_approve(CLI::App& cmd, Context& ctx) {
    return setup_decision(cmd, ctx, "approve");
}

Runner setup_reject(CLI::App& cmd, Context& ctx) {
    return setup_decision(cmd, ctx, "reject");
}

Runner setup_resend(CLI::App& cmd, Context& ctx) {
    return setup_action(cmd, ctx, {"resend", "requeued", "requeued"},
                        "notifyctl resend 01JD8X3T6Q4M9V2K7C5B0RZP1A");
}

Runner setup_cancel(CLI::App& cmd, Context& ctx) {
    return setup_action(cmd, ctx, {"cancel", "canceled", "canceled"},
                        "notifyctl cancel 01JD8X3T6Q4M9V2K7C5B0RZP1A");
}

}  // namespace notify::cli
