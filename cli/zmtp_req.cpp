#include "zmtp_req.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "util/zmtp.hpp"

namespace notify::cli {

namespace {

// How long to wait before trying a refused connection again (libzmq's
// reconnect interval is 100 ms; a local daemon that is starting is up sooner).
constexpr util::Millis kRetryEvery = 20;
// The least time one address of several is given to connect.
constexpr util::Millis kLeastShare = 100;

struct Address {
    sockaddr_storage storage{};
    socklen_t size = 0;
    int family = AF_UNSPEC;
};

Error bad_endpoint(const std::string& why) {
    return make_error(ErrorKind::usage, "bad_endpoint", why);
}

Expected<std::vector<Address>> resolve(const std::string& endpoint) {
    std::vector<Address> out;
    if (endpoint.rfind("ipc://", 0) == 0) {
        std::string path = endpoint.substr(6);
        Address a;
        auto* un = reinterpret_cast<sockaddr_un*>(&a.storage);
        un->sun_family = AF_UNIX;
        if (path.empty() || path.size() >= sizeof un->sun_path)
            return bad_endpoint("an ipc:// path must have 1 to " +
                                std::to_string(sizeof un->sun_path - 1) + " characters");
        if (path[0] == '@') path[0] = '\0';  // the abstract namespace
        std::memcpy(un->sun_path, path.data(), path.size());
        a.size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                        (path[0] == '\0' ? 0 : 1));
        a.family = AF_UNIX;
        out.push_back(a);
        return out;
    }
    if (endpoint.rfind("tcp://", 0) != 0)
        return bad_endpoint("notifyctl connects to ipc:// and tcp:// endpoints only");
    const std::string rest = endpoint.substr(6);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon + 1 == rest.size())
        return bad_endpoint("a tcp:// endpoint needs HOST:PORT");
    std::string host = rest.substr(0, colon);
    const std::string port = rest.substr(colon + 1);
    if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
        std::stoi(port) == 0 || std::stoi(port) > 65535)
        return bad_endpoint("'" + port + "' is not a port number");
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty() || host == "*")
        return bad_endpoint("a tcp:// endpoint needs a host to connect to");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
        return make_error(ErrorKind::unavailable, "not_reachable",
                          "cannot resolve '" + host + "': " + gai_strerror(rc));
    for (addrinfo* i = found; i; i = i->ai_next) {
        Address a;
        std::memcpy(&a.storage, i->ai_addr, i->ai_addrlen);
        a.size = i->ai_addrlen;
        a.family = i->ai_family;
        out.push_back(a);
    }
    freeaddrinfo(found);
    return out;
}

class Connection {
  public:
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { close(); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    // 0 once connected; otherwise the errno of the failure (ETIMEDOUT at the deadline).
    int open(const Address& a, util::Millis deadline) {
        close();
        fd_ = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd_ < 0) return errno;
        if (a.family != AF_UNIX) {
            const int on = 1;
            setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        }
        if (connect(fd_, reinterpret_cast<const sockaddr*>(&a.storage), a.size) == 0) return 0;
        // EAGAIN on a local socket: its backlog is full, as good as refused.
        if (errno != EINPROGRESS) return errno;
        if (!wait(POLLOUT, deadline)) return ETIMEDOUT;
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
        return error;
    }

    // Writes all of `bytes` by the deadline; false if it could not.
    bool write(std::string_view bytes, util::Millis deadline) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n > 0) {
                bytes.remove_prefix(static_cast<size_t>(n));
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && errno == EAGAIN) {
                if (!wait(POLLOUT, deadline)) return false;
            } else {
                return false;
            }
        }
        return true;
    }

    enum class Read { data, closed, timed_out };
    // Reads what has arrived into `reader`, waiting for it until the deadline
    // (which a peer that never stops sending does not put off).
    Read read(util::zmtp::Reader& reader, util::Millis deadline) {
        char chunk[65536];
        if (util::steady_ms() >= deadline) return Read::timed_out;
        for (;;) {
            const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n > 0) {
                reader.append(std::string_view(chunk, static_cast<size_t>(n)));
                return Read::data;
            }
            if (n == 0) return Read::closed;
            if (errno == EINTR) continue;
            if (errno != EAGAIN) return Read::closed;
            if (!wait(POLLIN, deadline)) return Read::timed_out;
        }
    }

  private:
    bool wait(short events, util::Millis deadline) {
        for (;;) {
            const util::Millis left = deadline - util::steady_ms();
            if (left <= 0) return false;
            pollfd p{fd_, events, 0};
            const int rc = poll(&p, 1, static_cast<int>(std::min<util::Millis>(left, 1 << 30)));
            if (rc > 0) return true;
            if (rc < 0 && errno != EINTR) return false;
        }
    }

    int fd_ = -1;
};

// The next frame that is not a heartbeat, or why there is none: an error, or
// nullopt when the connection closed or the deadline passed (`why` says which).
// A PING is answered with a PONG carrying its context. An ERROR is a refusal
// (unavailable: nothing was taken) before the request was sent, no answer
// (temporary) after.
Expected<std::optional<util::zmtp::Frame>> next_frame(Connection& c, util::zmtp::Reader& reader,
                                                      util::Millis deadline, bool sent,
                                                      Connection::Read& why) {
    for (;;) {
        auto frame = reader.next();
        if (!frame) return frame.error();
        if (*frame) {
            if (!(*frame)->command) return frame;
            auto command = util::zmtp::read_command((*frame)->body);
            if (!command) return command.error();
            if (command->name == "ERROR") {
                const std::string reason = util::zmtp::error_reason(command->data);
                if (sent)
                    return make_error(ErrorKind::temporary, "no_answer",
                                      "refused the request: " + reason);
                return make_error(ErrorKind::unavailable, "refused",
                                  "refused the connection: " + reason);
            }
            if (command->name == "READY") return frame;
            if (command->name == "PING" && command->data.size() >= 2)
                c.write(util::zmtp::command("PONG", std::string_view(command->data).substr(2)),
                        deadline);
            continue;  // PONG and other commands carry nothing for a request
        }
        why = c.read(reader, deadline);
        if (why != Connection::Read::data) return std::optional<util::zmtp::Frame>();
    }
}

// Greetings exchanged with a REQ socket's peer by the deadline: true; false
// when the connection closed or the deadline passed first.
Expected<bool> greet(Connection& c, util::zmtp::Reader& reader, util::Millis deadline) {
    if (!c.write(util::zmtp::opening("REQ"), deadline)) return false;
    for (;;) {
        auto greeted = reader.greeting();
        if (!greeted) return greeted.error();
        if (*greeted) break;
        if (c.read(reader, deadline) != Connection::Read::data) return false;
    }
    Connection::Read why = Connection::Read::data;
    auto ready = next_frame(c, reader, deadline, false, why);
    if (!ready) return ready.error();
    if (!*ready) return false;
    auto command = util::zmtp::read_command((*ready)->body);
    if (!(*ready)->command || !command || command->name != "READY")
        return make_error(ErrorKind::internal, "zmtp", "its first frame is not READY");
    auto type = util::zmtp::ready_property(command->data, "Socket-Type");
    if (!type) return type.error();
    if (!*type || (**type != "ROUTER" && **type != "REP"))
        return make_error(ErrorKind::internal, "zmtp",
                          "it is a " + type->value_or("socket of no type") +
                              " socket, which does not answer requests");
    return true;
}

}  // namespace

Expected<std::string> zmtp_request(const std::string& endpoint, std::string_view request,
                                   util::Millis connect_wait, util::Millis timeout,
                                   uint64_t max_reply) {
    const util::Millis deadline = util::steady_ms() + timeout;
    auto addresses = resolve(endpoint);
    if (!addresses) return addresses.error();
    const util::Millis connect_deadline = std::min(util::steady_ms() + connect_wait, deadline);
    Connection c;
    std::optional<util::zmtp::Reader> reader;
    // Each address in turn, again and again, until the wait is over; an
    // address that does not answer has its share of what is left of it.
    // What the last try came to, when it was more than a refusal.
    std::string last;
    for (bool up = false; !up;) {
        for (size_t i = 0; i < addresses->size() && !up; ++i) {
            const util::Millis share =
                std::max<util::Millis>((connect_deadline - util::steady_ms()) /
                                           static_cast<util::Millis>(addresses->size() - i),
                                       kLeastShare);
            const util::Millis until = std::min(connect_deadline, util::steady_ms() + share);
            if (int error = c.open((*addresses)[i], until); error != 0) {
                if (error == ECONNREFUSED || error == ENOENT || error == EAGAIN)
                    last.clear();  // nobody listens there now
                else if (error != ETIMEDOUT)
                    last = std::string(": ") + std::strerror(error);
                continue;
            }
            reader.emplace(max_reply);
            auto greeted = greet(c, *reader, connect_deadline);
            if (!greeted) return greeted.error();
            up = *greeted;
            // libzmq closes at once on a greeting it will not take (one that
            // lacks the security mechanism it requires), without a word.
            if (!up)
                last = util::steady_ms() < connect_deadline
                           ? ": the peer closed each one during ZeroMQ's greeting"
                           : ": connected, but no ZeroMQ greeting came";
        }
        if (up) break;
        const util::Millis left = connect_deadline - util::steady_ms();
        if (left <= 0)
            return make_error(ErrorKind::unavailable, "not_reachable",
                              "no connection within " + util::format_duration(connect_wait) + last);
        pollfd none{-1, 0, 0};
        poll(&none, 0, static_cast<int>(std::min(left, kRetryEvery)));
    }
    if (!c.write(util::zmtp::message({"", request}), deadline))
        return make_error(ErrorKind::temporary, "no_answer",
                          util::steady_ms() >= deadline
                              ? "did not take the request within " + util::format_duration(timeout)
                              : "closed the connection while the request was sent");
    // A REQ socket's reply: an empty delimiter, then the body's parts.
    std::string body;
    bool delimited = false;
    for (;;) {
        Connection::Read why = Connection::Read::data;
        auto frame = next_frame(c, *reader, deadline, true, why);
        if (!frame) return frame.error();
        if (!*frame)
            return make_error(ErrorKind::temporary, "no_answer",
                              why == Connection::Read::closed
                                  ? "closed the connection without answering"
                                  : "did not answer within " + util::format_duration(timeout));
        if ((*frame)->command) continue;
        if (!delimited) {
            if (!(*frame)->body.empty() || !(*frame)->more)
                return make_error(ErrorKind::internal, "zmtp", "its reply has no empty delimiter");
            delimited = true;
            continue;
        }
        if (body.size() + (*frame)->body.size() > max_reply)
            return make_error(
                ErrorKind::internal, "zmtp",
                "its reply is over the limit of " + std::to_string(max_reply) + " bytes");
        body += (*frame)->body;
        if (!(*frame)->more) return body;
    }
}

}  // namespace notify::cli
