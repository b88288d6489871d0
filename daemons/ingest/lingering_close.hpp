// lingering_close.hpp - the last step of refusing a connection: the answer has
// been written and our side shut for writing; what the client still sends is
// read and dropped until it closes, `linger` passes or `max_bytes` have come,
// so that closing with unread input does not reset the connection before the
// client has read the answer. At most `max_sockets` linger at once; past that a
// socket is closed at once. Loop thread only.
#pragma once

#include <event2/event.h>

#include <cstddef>
#include <unordered_map>

#include "util/time.hpp"

namespace notify::ingest {

class LingeringClose {
  public:
    LingeringClose(event_base* base, util::Millis linger, size_t max_sockets, size_t max_bytes);
    ~LingeringClose();
    LingeringClose(const LingeringClose&) = delete;
    LingeringClose& operator=(const LingeringClose&) = delete;

    // Takes `fd` (a socket already shut for writing) and closes it later.
    void adopt(int fd);
    size_t count() const { return sockets_.size(); }

  private:
    struct Socket {
        LingeringClose* owner;
        int fd;
        event* ev;
        size_t read = 0;
    };
    static void on_event(evutil_socket_t fd, short what, void* arg);
    void close(int fd);

    event_base* base_;
    util::Millis linger_;
    size_t max_sockets_;
    size_t max_bytes_;
    std::unordered_map<int, Socket> sockets_;
};

}  // namespace notify::ingest
