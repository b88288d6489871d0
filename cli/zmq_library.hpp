// zmq_library.hpp - the few libzmq calls notifyctl makes, from libzmq loaded the
// first time a command talks to notify-ingest. Every shared library an
// executable links is mapped and relocated before main(), and libzmq brings a
// dozen more (libsodium, OpenPGM, NORM, Kerberos): most commands never open a
// socket, and `notifyctl --version` should not pay for them.
#pragma once

#include <zmq.h>

#include <cstddef>
#include <string>

namespace notify::cli {

// The C API's entry points notifyctl uses, resolved from the loaded library.
struct ZmqLibrary {
    void* (*ctx_new)();
    void* (*socket)(void* context, int type);
    int (*close)(void* socket);
    int (*setsockopt)(void* socket, int option, const void* value, std::size_t size);
    int (*connect)(void* socket, const char* endpoint);
    int (*poll)(zmq_pollitem_t* items, int count, long timeout_ms);
    int (*send)(void* socket, const void* data, std::size_t size, int flags);
    int (*msg_init)(zmq_msg_t* message);
    int (*msg_recv)(zmq_msg_t* message, void* socket, int flags);
    void* (*msg_data)(zmq_msg_t* message);
    std::size_t (*msg_size)(const zmq_msg_t* message);
    int (*msg_close)(zmq_msg_t* message);
    int (*errno_value)();
    const char* (*strerror)(int error);

    // The text of libzmq's last error on this thread.
    std::string last_error() const { return strerror(errno_value()); }
};

// The library, loaded once per process; throws std::runtime_error naming the
// library and what failed when it cannot be loaded.
const ZmqLibrary& zmq_library();

}  // namespace notify::cli
