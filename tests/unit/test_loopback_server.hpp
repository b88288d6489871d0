// test_loopback_server.hpp - a TCP listener on 127.0.0.1 at a free port for the
// channel adapter tests: it accepts one connection on its own thread and hands
// it to the test's session (a scripted SMTP server, an HTTP receiver), then
// closes it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <thread>
#include <utility>

namespace notify::test {

// A listening TCP socket on 127.0.0.1 at a free port (set in `port`).
inline int listen_on_loopback(int backlog, int& port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
    REQUIRE(listen(fd, backlog) == 0);
    return fd;
}

class LoopbackServer {
  public:
    // Talks to the client on the connected socket `fd` until done.
    using Session = std::function<void(int fd)>;

    explicit LoopbackServer(Session session) : session_(std::move(session)) {
        fd_ = listen_on_loopback(1, port_);
        thread_ = std::thread([this] { serve(); });
    }
    ~LoopbackServer() {
        shutdown(fd_, SHUT_RDWR);
        thread_.join();
        close(fd_);
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    int port() const { return port_; }

  private:
    void serve() {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        session_(c);
        close(c);
    }

    Session session_;
    int fd_ = -1;
    int port_ = 0;
    std::thread thread_;
};

}  // namespace notify::test
