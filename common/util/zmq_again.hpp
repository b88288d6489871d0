// zmq_again.hpp - a ZeroMQ call made again when a signal interrupted it.
// libzmq can fail any call with EINTR when a signal (SIGTERM on stop, SIGHUP)
// arrives while it waits on its own mailbox, SA_RESTART or not; nothing was
// sent or taken then, so the same call is simply made again. zmq_again is for
// cppzmq, which throws; zmq_c_again for the C API, which returns -1 and sets
// errno.
#pragma once

#include <zmq.h>

#include <cerrno>
#include <zmq.hpp>

namespace notify::util {

template <typename Call>
auto zmq_again(Call call) -> decltype(call()) {
    for (;;) {
        try {
            return call();
        } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) throw;
        }
    }
}

template <typename Call>
int zmq_c_again(Call call) {
    int rc;
    do rc = call();
    while (rc < 0 && zmq_errno() == EINTR);
    return rc;
}

}  // namespace notify::util
