// worker.hpp - the channel worker's loop: one ZeroMQ DEALER to each router of
// worker.router and one libcurl multi handle, in a single thread.
//
// In:  Job frames from each router (see wire.hpp), stop signals on `signal_fd`.
// Out: to each router, Ready at start (credit = its share of
//      worker.concurrency) and every worker.heartbeat (credit 0), exactly one
//      Result per Job it handed out, Bye when draining.
// Config keys read: worker.router, worker.concurrency, worker.timeout,
// worker.heartbeat, worker.channels, worker.curve_secret_key and
// worker.router_public_key (router_link.hpp), providers.*, channels.*.
#pragma once

#include <string>

#include "config.hpp"

namespace notify::worker {

// Runs until a stop signal has been handled and every transfer has finished.
// Returns the process exit status.
int run(const Config& config, const std::string& name, int signal_fd);

}  // namespace notify::worker
