// up.hpp - how `notifyctl up` finds the daemons, apart for its tests.
#pragma once

#include <string>

namespace notify::cli {

// `program` in `self_dir` (where notifyctl lives) if it is an executable file
// there, else the first match in the ':'-separated `path_env`, else "".
std::string find_daemon(const std::string& program, const std::string& self_dir,
                        const std::string& path_env);

}  // namespace notify::cli
