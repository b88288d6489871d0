// config_calendar.hpp - [calendar] of notify.toml(5). Its keys are declared in
// config.cpp's table with every other key (defaults, environment, `config
// show`); this checks their values and binds them to Config::Calendar.
#pragma once

#include <map>
#include <string>

#include "config.hpp"

namespace notify {

// `settings`: every scalar key with its value and origin ("FILE:LINE",
// "env NOTIFY_X", "default"). Errors name the origin and the key.
// calendar.hold_bulk, when not set: true when another [calendar] key is set
// (in the file or the environment), so that a company that writes down its
// calendar has its bulk held by it, and one that does not sees no change.
void default_hold_bulk(std::map<std::string, Setting>& settings);

Status bind_calendar(Config& c, const std::map<std::string, Setting>& settings);

}  // namespace notify
