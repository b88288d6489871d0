// daemon_path.hpp - the daemons beside notifyctl: where `notifyctl up` finds
// them, and running one to its end with its output kept (`notifyctl config
// check` runs `notify-channel-worker --check`).
#pragma once

#include <string>
#include <vector>

#include "util/error.hpp"

namespace notify::cli {

// `program` in `self_dir` (where notifyctl lives) or its ../sbin if it is an
// executable file there, else the first match in the ':'-separated
// `path_env`, else "".
std::string find_daemon(const std::string& program, const std::string& self_dir,
                        const std::string& path_env);

// find_daemon() from util::executable_dir() and $PATH, or an unavailable error naming
// where it looked.
Expected<std::string> locate_daemon(const std::string& program);

struct Finished {
    int status = 0;   // its exit status; 128 + N when signal N ended it
    std::string out;  // its stdout, at most the bound it was run with
    std::string err;  // its stderr, likewise
};

// Runs `path` with `args` (stdin /dev/null, the environment inherited) and
// waits for it, keeping at most `max_output` bytes of each of its outputs.
Expected<Finished> run_to_end(const std::string& path, const std::vector<std::string>& args,
                              size_t max_output);

}  // namespace notify::cli
