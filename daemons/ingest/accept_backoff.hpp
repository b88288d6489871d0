// accept_backoff.hpp - keeps a listener from spinning when accept() fails.
// When the process (EMFILE) or the system (ENFILE) is out of file descriptors,
// or the kernel out of memory for sockets, the pending connection stays in the
// backlog and the listening socket stays readable, so a loop that just retries
// burns a core and logs at the speed of the disk. Instead the listener pauses
// for `pause` and tries again; connections already open are served meanwhile.
// Failures are counted in /metrics (notify_http_accept_failures_total) and
// logged at most once a second with a count. Loop thread only.
#pragma once

#include <event2/event.h>

#include "metrics.hpp"
#include "util/repeated_failure.hpp"
#include "util/time.hpp"

struct evconnlistener;

namespace notify::ingest {

class AcceptBackoff {
  public:
    AcceptBackoff(event_base* base, Metrics& metrics, util::Millis pause = 250);
    ~AcceptBackoff();
    AcceptBackoff(const AcceptBackoff&) = delete;
    AcceptBackoff& operator=(const AcceptBackoff&) = delete;

    // Watches `listener`'s accept errors; nullptr lets go of it (before it is freed).
    void watch(evconnlistener* listener);

  private:
    static void on_error(evconnlistener* listener, void* arg);
    static void on_resume(evutil_socket_t, short, void* arg);
    void failed(int error);

    Metrics& metrics_;
    util::Millis pause_;
    evconnlistener* listener_ = nullptr;
    event* resume_ = nullptr;
    util::RepeatedFailure log_{1000};
};

}  // namespace notify::ingest
