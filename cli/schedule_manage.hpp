// schedule_manage.hpp - what the `notifyctl schedule` subcommands share: the
// error of one of their flags, and the setup of the subcommands that work on
// the schedules notify-priority-router keeps (schedule_manage.cpp), beside `preview`
// (schedule_cmd.cpp), which needs no daemon.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "command.hpp"
#include "util/error.hpp"

namespace notify::cli {

// Prints `e` as the error of `flag`: the flag begins the message and is its
// field. Returns its exit code.
int fail_flag(Context& ctx, Error e, const std::string& flag);

// add, ls, show, pause, resume, history and rm, each added to `subs` with its
// runner.
void setup_schedule_manage(CLI::App& cmd, Context& ctx,
                           std::vector<std::pair<CLI::App*, Runner>>& subs);

}  // namespace notify::cli
