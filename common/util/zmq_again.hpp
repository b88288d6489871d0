// zmq_again.hpp - a ZeroMQ call made again when a signal interrupted it.
// libzmq can fail any call with EINTR when a signal (SIGTERM on stop, SIGHUP)
// arrives while it waits on its own mailbox, SA_RESTART or not; nothing was
// sent or taken then, so the same call is simply made again.
#pragma once

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

}  // namespace notify::util
