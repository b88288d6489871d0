// send_options.hpp - what a notification is made of on the command line, for
// `notifyctl send` and for the notification each firing of `notifyctl
// schedule add` makes: the options (channel, recipients, subject, bodies,
// template, data, priority, expiry, category, module, bulk, BODY), their flags, and
// the body of POST /v1/notifications they make, checked before anything is
// sent. When to send and an idempotency key are not here: only a one-off send
// has them (send.cpp); a schedule's firings give its times.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace notify::cli {

struct SendOptions {
    std::string channel;
    std::vector<std::string> to;
    std::string subject;
    std::string html;
    std::string template_name;
    std::string locale;
    std::string data;
    std::string priority;
    std::string expires_in;
    std::string category;
    std::string module;
    bool bulk = false;
    std::string body;
    bool has_body = false;  // BODY was given (it may be empty)
};

// Adds the flags and BODY to `cmd`, in the order --help lists them, and
// returns BODY's option, whose count() says whether it was given.
// `expires_in_help` says what --expires-in counts from.
CLI::Option* add_send_options(CLI::App& cmd, SendOptions& o, const std::string& expires_in_help);

// The body of POST /v1/notifications, or the error that stops the command
// before anything is sent. BODY '-' is read from `in`. `command` begins the
// messages about text that is not UTF-8 ("send: body is not valid UTF-8 ...").
Expected<nlohmann::json> build_body(const SendOptions& o, std::istream& in,
                                    const std::string& command);

}  // namespace notify::cli
