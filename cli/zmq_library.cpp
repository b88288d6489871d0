// zmq_library.cpp - libzmq opened with dlopen on first use (see zmq_library.hpp).
// The name is the library's ABI version, as its package installs it: a libzmq
// whose ABI changed would be a different file, and refused here by name rather
// than called with the wrong layout.
#include "zmq_library.hpp"

#include <dlfcn.h>

#include <mutex>
#include <stdexcept>

namespace notify::cli {

namespace {

constexpr const char* kLibrary = "libzmq.so.5";

template <typename Function>
void resolve(void* library, const char* name, Function& into) {
    void* symbol = dlsym(library, name);
    if (!symbol) throw std::runtime_error(std::string("cannot use ") + kLibrary + ": no " + name);
    into = reinterpret_cast<Function>(symbol);
}

ZmqLibrary load() {
    void* library = dlopen(kLibrary, RTLD_LAZY | RTLD_LOCAL);
    if (!library) {
        const char* why = dlerror();
        throw std::runtime_error(std::string("cannot load ") + kLibrary +
                                 " (ZeroMQ, package libzmq5): " + (why ? why : "not found"));
    }
    ZmqLibrary z{};
    resolve(library, "zmq_ctx_new", z.ctx_new);
    resolve(library, "zmq_socket", z.socket);
    resolve(library, "zmq_close", z.close);
    resolve(library, "zmq_setsockopt", z.setsockopt);
    resolve(library, "zmq_connect", z.connect);
    resolve(library, "zmq_poll", z.poll);
    resolve(library, "zmq_send", z.send);
    resolve(library, "zmq_msg_init", z.msg_init);
    resolve(library, "zmq_msg_recv", z.msg_recv);
    resolve(library, "zmq_msg_data", z.msg_data);
    resolve(library, "zmq_msg_size", z.msg_size);
    resolve(library, "zmq_msg_close", z.msg_close);
    resolve(library, "zmq_errno", z.errno_value);
    resolve(library, "zmq_strerror", z.strerror);
    return z;  // the library stays loaded for the life of the process
}

}  // namespace

const ZmqLibrary& zmq_library() {
    static std::once_flag once;
    static ZmqLibrary library{};
    std::call_once(once, [] { library = load(); });
    return library;
}

}  // namespace notify::cli
