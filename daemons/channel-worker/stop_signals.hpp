// stop_signals.hpp - SIGTERM and SIGINT as a readable file descriptor, so the
// worker's poll loop wakes when one arrives (a self-pipe; the handler only
// writes one byte).
#pragma once

namespace notify::worker {

// Installs the handlers; returns the pipe's read end (non-blocking), or -1.
int install_stop_signals();
// Reads what is pending on `fd`; returns how many signals arrived since the last call.
int take_stop_signals(int fd);

}  // namespace notify::worker
