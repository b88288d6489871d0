// otp_cmd.cpp - `notifyctl otp send` and `notifyctl otp verify`: one-time codes
// through notify-ingest (POST /v1/otp, /v1/otp/verify), for back ends written
// in shell. send prints the notification's id (the code itself is never shown:
// it goes to the recipient); verify prints valid, invalid, expired or locked
// and exits 0 for valid alone, 1 otherwise. A CODE of '-' is read from the
// first line of stdin, out of the process list and the shell's history.
#include <CLI/CLI.hpp>

#include <memory>
#include <nlohmann/json.hpp>

#include "client.hpp"
#include "command.hpp"
#include "output.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::cli {

namespace {

struct SendOptions {
    std::string to, channel, template_name, ttl, locale, data;
    int length = 0;
};

struct VerifyOptions {
    std::string to, code;
};

int send(Context& ctx, const SendOptions& o) {
    nlohmann::json body = {{"to", o.to}, {"channel", o.channel}};
    if (!o.template_name.empty()) body["template"] = o.template_name;
    if (!o.ttl.empty()) body["ttl"] = o.ttl;
    if (!o.locale.empty()) body["locale"] = o.locale;
    if (o.length) body["length"] = o.length;
    if (!o.data.empty()) {
        auto data = util::json_or_discarded(o.data);
        if (!data.is_object()) return fail(ctx, exit_usage, "--data must be a JSON object");
        body["data"] = std::move(data);
    }
    Api api(ctx);
    if (int rc = api.open()) return rc;
    nlohmann::json reply;
    if (int rc = api.call(Request{"POST", "/v1/otp", {}, body}, "otp send", reply)) return rc;
    if (ctx.globals.json)
        print_json(ctx.out, reply);
    else
        ctx.out << member(reply, "id") << "\n";
    return exit_ok;
}

int verify(Context& ctx, VerifyOptions o) {
    if (o.code == "-") {
        std::getline(ctx.in, o.code);
        o.code = util::trim(o.code);
        if (o.code.empty()) return fail(ctx, exit_usage, "no code on stdin (CODE is '-')");
    }
    Api api(ctx);
    if (int rc = api.open()) return rc;
    nlohmann::json reply;
    if (int rc = api.call(Request{"POST", "/v1/otp/verify", {}, {{"to", o.to}, {"code", o.code}}},
                          "otp verify", reply))
        return rc;
    const std::string result = member(reply, "result");
    if (ctx.globals.json)
        print_json(ctx.out, reply);
    else
        ctx.out << result << "\n";
    return result == "valid" ? exit_ok : exit_wait_failed;
}

}  // namespace

Runner setup_otp(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    auto* send_cmd = cmd.add_subcommand("send", "send a new one-time code to a recipient");
    auto s = std::make_shared<SendOptions>();
    send_cmd->add_option("--to", s->to, "an address on the channel, or user:ID")->required();
    send_cmd->add_option("--channel", s->channel, "the channel to send it on")->required();
    send_cmd->add_option("--template", s->template_name,
                         "the template that carries it (default: otp.template)");
    send_cmd->add_option("--ttl", s->ttl, "how long it is good for, 10s to 1h (default: otp.ttl)");
    send_cmd->add_option("--length", s->length, "digits, 4 to 10 (default: otp.length)");
    send_cmd->add_option("--locale", s->locale, "the template's locale");
    send_cmd->add_option("--data", s->data,
                         "more template variables, a JSON object (the code and its minutes "
                         "are filled in)");
    send_cmd->footer(
        "Example:\n"
        "  notifyctl otp send --to +8613800138000 --channel sms --ttl 5m \\\n"
        "      --data '{\"service\":\"Acme\",\"sender\":\"Acme\"}'");
    auto* verify_cmd = cmd.add_subcommand("verify", "check a code a recipient was sent");
    auto v = std::make_shared<VerifyOptions>();
    verify_cmd->add_option("--to", v->to, "the recipient the code was sent to")->required();
    verify_cmd->add_option("CODE", v->code, "the code; '-' reads it from stdin")->required();
    verify_cmd->footer(
        "Exits 0 when the code is valid (it is then used up), 1 when it is invalid, expired "
        "or locked.\n"
        "Example:\n"
        "  notifyctl otp verify --to +8613800138000 123456 && echo signed in\n"
        "  printf '%s\\n' \"$code\" | notifyctl otp verify --to +8613800138000 -");
    return dispatch(cmd, ctx,
                    {{send_cmd, [&ctx, s] { return send(ctx, *s); }},
                     {verify_cmd, [&ctx, v] { return verify(ctx, *v); }}});
}

}  // namespace notify::cli
