// last_words.hpp - what the worker says when a fatal signal kills it: one log
// line per delivery it had in flight, so that a job that crashes workers is
// found with `grep DELIVERY` (the router counts the deaths: see
// notify-priority-router(8), router.max_worker_deaths).
//
// On SIGSEGV, SIGBUS, SIGABRT, SIGFPE or SIGILL the handler runs on a stack of
// its own (sigaltstack: a stack overflow leaves none), writes a line naming the
// signal and then each delivery's line with write(2) alone (nothing else is
// safe in a signal handler), and raises the signal again with its default
// action, so the process still dies of it (core dump, exit status).
//
// The lines are formatted when a job arrives, into fixed slots the handler only
// reads; a job's line goes when its result is reported. Beyond `capacity` jobs
// at once the rest are counted, not named. The worker's one thread calls
// note() and forget(); the handler may interrupt either at any point.
#pragma once

#include <cstddef>

#include "wire.hpp"

namespace notify::worker::last_words {

// Installs the handlers with room for `capacity` lines; false when it could not.
bool install(std::size_t capacity);
void note(const wire::Job& job);
void forget(const wire::Job& job);

}  // namespace notify::worker::last_words
