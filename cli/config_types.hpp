// config_types.hpp - `notifyctl config types [TYPE]` (see config_types.cpp).
#pragma once

#include <string>

#include "command.hpp"

namespace notify::cli {

// Lists every provider type, or describes `name`; exit_usage for an unknown one.
int config_types(Context& ctx, const std::string& name);

}  // namespace notify::cli
