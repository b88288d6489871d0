// daemon.hpp - notify-ingest put together: the event loop, both transports, the
// group-commit writer and the signal handling around them.
#pragma once

#include "config.hpp"

namespace notify::ingest {

// Runs until SIGTERM or SIGINT; returns the process exit status (0 after a clean
// stop, 69 when a socket or the store cannot be opened).
int run_daemon(const Config& config);

}  // namespace notify::ingest
