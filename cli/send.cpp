// send.cpp - `notifyctl send`: builds a notification from flags, checks what
// can be checked here (priority, times, durations, --data, input files), hands
// it to notify-ingest, and prints the id once it is stored. With --wait it then
// follows the deliveries to their end (wait.cpp). The notification's own
// options are send_options.hpp, which `schedule add` shares; --at, --tz,
// --idempotency-key and --wait are a one-off send's alone.
//
// A send to user:ID or group:NAME is a fan-out: the router makes its
// deliveries after acceptance, or after an administrator approves it. --wait
// then first waits for the fan-out to be done (saying so when it waits for
// approval), and a rejected send ends the wait with exit 1.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>

#include "client.hpp"
#include "command.hpp"
#include "input.hpp"
#include "output.hpp"
#include "send_options.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"
#include "wait.hpp"

namespace notify::cli {

namespace {

// What only a one-off send has besides the notification: when to send it, an
// idempotency key, and whether to wait for its deliveries.
struct SendArgs {
    SendOptions send;
    std::string at;
    std::string tz;
    std::string idempotency_key;
    bool wait = false;
    std::string wait_timeout = "5m";
};

// The request body, or the error that stops the send before anything is sent.
Expected<nlohmann::json> one_off_body(const SendArgs& a, std::istream& in) {
    if (auto st = utf8_arg(a.idempotency_key, "send: --idempotency-key"); !st) return st.error();
    auto j = build_body(a.send, in, "send");
    if (!j) return j;
    if (!a.at.empty()) {
        auto t = time_arg(a.at, a.tz, "--at");
        if (!t) return t.error();
        (*j)["send_at"] = *t;
    }
    if (!a.idempotency_key.empty()) (*j)["idempotency_key"] = a.idempotency_key;
    return j;
}

const std::string kPending = "pending-approval";

std::string approve_hint(const std::string& id) {
    return "an administrator runs 'notifyctl approve " + id + "' or 'notifyctl reject " + id +
           " --reason TEXT'";
}

// Follows the notification until its fan-out is done, then its deliveries
// like any other send's. The first look is not held, so that a send waiting
// for approval says so at once; the next ones are held at notify-ingest
// until everything has ended (wait.hpp).
int wait_for_fanout(Context& ctx, Api& api, const std::string& id, Millis timeout) {
    const Millis deadline = util::steady_ms() + timeout;
    bool told = false;
    for (Millis pause = kFirstPause, hold = 0;;) {
        nlohmann::json n;
        const Millis asked = util::steady_ms();
        if (int rc = api.call(held_get(id, hold), "wait: '" + id + "'", n)) return rc;
        nlohmann::json fanout = n.value("fanout", nlohmann::json::object());
        std::string state = member(fanout, "state", "done");
        if (state == "rejected") {
            std::string reason = member(fanout, "reason");
            return fail(ctx, exit_wait_failed,
                        "wait: '" + id + "' was rejected by '" + member(fanout, "decided_by", "?") +
                            "'" + (reason.empty() ? "" : ": " + reason) + "; nothing was sent");
        }
        if (state == "canceled") {
            bool none = fanout.value("expanded", std::int64_t{0}) == 0;
            return fail(ctx, exit_wait_failed,
                        "wait: '" + id + "' was canceled" +
                            (none ? "; nothing was sent"
                                  : "; follow what went out with 'notifyctl status " + id + "'"));
        }
        Millis left = deadline - util::steady_ms();
        if (state == "done") {
            if (n.value("deliveries", nlohmann::json::array()).empty()) {
                if (!ctx.globals.quiet)
                    ctx.err << "notifyctl: '" << id
                            << "' has no deliveries: its groups have no members\n";
                return exit_ok;
            }
            return wait_for_deliveries(ctx, api, id, std::max<Millis>(left, 1));
        }
        if (state == kPending && !told && !ctx.globals.quiet) {
            ctx.err << "notifyctl: '" << id << "' waits for approval: " << approve_hint(id) << "\n";
            told = true;
        }
        if (left <= 0) {
            if (state == kPending)
                return fail(ctx, exit_temp,
                            "wait: '" + id + "' still waits for approval after " +
                                util::format_duration(timeout) + "; " + approve_hint(id));
            return fail(ctx, exit_temp,
                        "wait: '" + id + "': recipients still being expanded after " +
                            util::format_duration(timeout) + " (" +
                            std::to_string(fanout.value("expanded", std::int64_t{0})) +
                            " deliveries made for " +
                            std::to_string(fanout.value("total", std::int64_t{0})) +
                            " recipients); follow it with 'notifyctl status " + id + "'");
        }
        if (hold > 0) pause = pause_after_early_answer(util::steady_ms() - asked, hold, pause);
        hold = deadline - util::steady_ms();
    }
}

}  // namespace

Runner setup_send(CLI::App& cmd, Context& ctx) {
    auto o = std::make_shared<SendArgs>();
    auto* body_opt = add_send_options(
        cmd, o->send, "do not deliver after this long, as 2h or 30m, counted from --at if given");
    auto* at = cmd.add_option("--at", o->at,
                              "send later: RFC 3339, now+10m, or 'YYYY-MM-DD HH:MM' in --tz");
    cmd.add_option("--tz", o->tz, "IANA zone for --at (default: the local zone)")->needs(at);
    cmd.add_option("--idempotency-key", o->idempotency_key,
                   "the same key within 24h returns the first id and sends nothing again");
    auto* wait = cmd.add_flag("--wait", o->wait,
                              "wait until every delivery ends (a fan-out: approved and expanded "
                              "first); exit 1 if any did not succeed");
    cmd.add_option("--wait-timeout", o->wait_timeout, "give up waiting after this long (exit 75)")
        ->capture_default_str()
        ->needs(wait);
    cmd.footer(
        "A send to user:ID or group:NAME reaches each user at their address for the channel;\n"
        "one to more than bulk.approval_threshold recipients, or to a group that requires it,\n"
        "waits for 'notifyctl approve'.\n\n"
        "Examples:\n"
        "  notifyctl send --channel email --to ops@example.com --subject 'backup failed' \\\n"
        "      --priority high --wait - < /var/log/backup.log\n"
        "  notifyctl send --channel email --to user:alice --to group:ops --template incident \\\n"
        "      --data '{\"service\":\"billing\"}'");

    return [o, &ctx, body_opt]() -> int {
        o->send.has_body = body_opt->count() > 0;
        auto wait_timeout = util::parse_duration(o->wait_timeout);
        if (!wait_timeout || *wait_timeout <= 0)
            return fail(ctx, exit_usage,
                        "--wait-timeout: '" + o->wait_timeout + "' is not a duration like '5m'");
        auto body = one_off_body(*o, ctx.in);
        if (!body) return fail(ctx, body.error());
        Api api(ctx);
        if (int rc = api.open()) return rc;
        // With several notify-ingests to ask, a send that one of them took and did
        // not answer is asked of the next under the same key: stored once.
        if (api.config().notifyctl.ingest.size() > 1 && !body->contains("idempotency_key"))
            (*body)["idempotency_key"] = "notifyctl-" + util::hex(util::random_bytes(16));
        nlohmann::json reply;
        Request req{"POST", "/v1/notifications", {}, std::move(*body)};
        if (int rc = api.call(req, "send", reply)) return rc;
        std::string id = member(reply, "id");
        // Only a fan-out's answer has a state.
        std::string fanout_state = member(reply, "state");
        if (ctx.globals.json)
            print_json(ctx.out, reply);
        else
            ctx.out << id << "\n";
        ctx.out.flush();
        if (fanout_state == kPending && !o->wait && !ctx.globals.quiet && !ctx.globals.json)
            ctx.err << "notifyctl: '" << id << "' waits for approval ("
                    << count_of(reply.value("recipients", std::int64_t{0}), "recipient",
                                "recipients")
                    << "): " << approve_hint(id) << "\n";
        if (!o->wait) return exit_ok;
        if (!fanout_state.empty()) return wait_for_fanout(ctx, api, id, *wait_timeout);
        return wait_for_deliveries(ctx, api, id, *wait_timeout);
    };
}

}  // namespace notify::cli
