// stop_signals.cpp - the self-pipe behind install_stop_signals().
#include "stop_signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace notify::worker {

namespace {
int g_write_fd = -1;

extern "C" void on_stop_signal(int) {
    int saved = errno;
    if (g_write_fd >= 0) {
        char byte = 1;
        [[maybe_unused]] ssize_t n = ::write(g_write_fd, &byte, 1);
    }
    errno = saved;
}
}  // namespace

int install_stop_signals() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    g_write_fd = fds[1];
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    // A peer that goes away mid-transfer must not kill the process.
    signal(SIGPIPE, SIG_IGN);
    return fds[0];
}

int take_stop_signals(int fd) {
    int count = 0;
    char buf[64];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            count += static_cast<int>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return count;
    }
}

}  // namespace notify::worker
