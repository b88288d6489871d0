// send_options.cpp - the options of a notification on the command line and the
// request body they make; see send_options.hpp.
#include "send_options.hpp"

#include <CLI/CLI.hpp>

#include "input.hpp"
#include "util/time.hpp"

namespace notify::cli {

CLI::Option* add_send_options(CLI::App& cmd, SendOptions& o, const std::string& expires_in_help) {
    cmd.add_option("--channel", o.channel, "channel to send on (email, sms, webhook, ...)")
        ->required();
    cmd.add_option("--to", o.to,
                   "recipient: an address for the channel, user:ID or group:NAME (repeatable)")
        ->allow_extra_args(false);
    cmd.add_option("--subject", o.subject, "subject or title");
    cmd.add_option("--html", o.html, "HTML alternative of the body: TEXT or @FILE");
    cmd.add_option("--template", o.template_name,
                   "take the subject and bodies from this stored template, filled with --data");
    cmd.add_option("--locale", o.locale,
                   "the template's locale, as zh-CN (falls back to zh, then the default)");
    cmd.add_option("--data", o.data, "a JSON object for the channel or template: JSON or @FILE");
    cmd.add_option("--priority", o.priority, "high, medium (the default) or low");
    cmd.add_option("--expires-in", o.expires_in, expires_in_help);
    cmd.add_option("--category", o.category, "category, for preferences and reports");
    cmd.add_option("--module", o.module, "the sending application or module, for reports");
    cmd.add_flag("--bulk", o.bulk,
                 "a bulk send: at low priority it waits for working hours to end ([calendar])");
    return cmd.add_option("BODY", o.body, "the message text; '-' reads it from stdin");
}

Expected<nlohmann::json> build_body(const SendOptions& o, std::istream& in,
                                    const std::string& command) {
    // JSON carries only UTF-8: refuse other bytes here, naming what holds them.
    auto text = [&command](const std::string& value, const std::string& what) -> Status {
        return utf8_arg(value, command + ": " + what);
    };
    for (auto [value, what] :
         {std::pair{&o.channel, "--channel"}, std::pair{&o.subject, "subject"},
          std::pair{&o.category, "--category"}, std::pair{&o.module, "--module"},
          std::pair{&o.template_name, "--template"}, std::pair{&o.locale, "--locale"}})
        if (auto st = text(*value, what); !st) return st.error();
    for (const auto& to : o.to)
        if (auto st = text(to, "--to"); !st) return st.error();
    nlohmann::json j = {{"channel", o.channel}};
    if (!o.to.empty()) j["to"] = o.to;
    if (!o.subject.empty()) j["subject"] = o.subject;
    if (o.has_body) {
        std::string body = o.body == "-" ? read_all(in) : o.body;
        if (auto st = text(body, "body"); !st) return st.error();
        j["body"] = std::move(body);
    }
    if (!o.html.empty()) {
        auto html = text_or_file(o.html, "--html");
        if (!html) return html.error();
        if (auto st = text(*html, "--html"); !st) return st.error();
        j["html"] = *html;
    }
    if (!o.template_name.empty()) {
        if (o.has_body || !o.html.empty() || !o.subject.empty())
            return make_error(ErrorKind::usage, "usage",
                              "--template takes the subject and bodies from the template: give "
                              "no BODY, --subject or --html with it");
        j["template"] = o.template_name;
    } else if (!o.has_body && o.html.empty() && o.subject.empty()) {
        return make_error(ErrorKind::usage, "usage",
                          "nothing to send: give a BODY ('-' reads stdin), --subject, --html or "
                          "--template");
    }
    if (!o.locale.empty()) j["locale"] = o.locale;
    if (!o.data.empty()) {
        auto data = data_object(o.data);
        if (!data) {
            Error e = data.error();
            if (e.code == "invalid_utf8") e.message = command + ": " + e.message;
            return e;
        }
        j["data"] = *data;
    }
    if (!o.priority.empty()) {
        auto p = priority_arg(o.priority, "--priority");
        if (!p) return p.error();
        j["priority"] = *p;
    }
    if (!o.expires_in.empty()) {
        auto d = util::parse_duration(o.expires_in);
        if (!d || *d <= 0)
            return make_error(
                ErrorKind::usage, "invalid_duration",
                "--expires-in: '" + o.expires_in + "' is not a duration like '30m' or '1h30m'");
        j["expires_in"] = util::format_duration(*d);
    }
    if (!o.category.empty()) j["category"] = o.category;
    if (!o.module.empty()) j["module"] = o.module;
    if (o.bulk) j["bulk"] = true;
    return j;
}

}  // namespace notify::cli
