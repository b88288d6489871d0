// executable_dir.hpp - the folder of the running executable, from which
// notifyctl finds the daemons and its phone module.
#pragma once

#include <string>

namespace notify::util {

// The directory of /proc/self/exe; "" when /proc does not say.
std::string executable_dir();

}  // namespace notify::util
