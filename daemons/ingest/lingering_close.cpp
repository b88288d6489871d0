// lingering_close.cpp - read and drop a refused client's input until it closes.
#include "lingering_close.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "util/timeval.hpp"

namespace notify::ingest {

LingeringClose::LingeringClose(event_base* base, util::Millis linger, size_t max_sockets,
                               size_t max_bytes)
    : base_(base), linger_(linger), max_sockets_(max_sockets), max_bytes_(max_bytes) {}

LingeringClose::~LingeringClose() {
    for (auto& [fd, s] : sockets_) {
        event_free(s.ev);
        ::close(fd);
    }
}

void LingeringClose::adopt(int fd) {
    if (sockets_.size() >= max_sockets_) {
        ::close(fd);
        return;
    }
    Socket& s = sockets_[fd];
    s.owner = this;
    s.fd = fd;
    s.ev = event_new(base_, fd, EV_READ | EV_PERSIST | EV_TIMEOUT, &LingeringClose::on_event, &s);
    const timeval tv = util::to_timeval(linger_);
    if (!s.ev || event_add(s.ev, &tv) != 0) close(fd);
}

void LingeringClose::on_event(evutil_socket_t fd, short what, void* arg) {
    auto* s = static_cast<Socket*>(arg);
    LingeringClose* self = s->owner;
    if (what & EV_TIMEOUT) return self->close(fd);
    char buf[16384];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            s->read += static_cast<size_t>(n);
            if (s->read > self->max_bytes_) return self->close(fd);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        return self->close(fd);  // the client closed, or the socket failed
    }
}

void LingeringClose::close(int fd) {
    auto it = sockets_.find(fd);
    if (it == sockets_.end()) return;
    if (it->second.ev) event_free(it->second.ev);
    sockets_.erase(it);
    ::close(fd);
}

}  // namespace notify::ingest
