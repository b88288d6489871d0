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
Status bind_calendar(Config& c, const std::map<std::string, Setting>& settings);

}  // namespace notify
