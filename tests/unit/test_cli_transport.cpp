// test_cli_transport.cpp - notifyctl speaks ZeroMQ's wire protocol to
// notify-ingest itself: against libzmq's own ROUTER socket over tcp:// (IPv4
// and IPv6) with replies of any size, and what it says when the peer is not a
// ZeroMQ socket it can talk to, or the endpoint is not one it can use. (The
// ipc:// files of a stack are tested in test_cli_client.cpp.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <thread>
#include <zmq.hpp>

#include "test_cli_fake_ingest.hpp"
#include "test_cli_helpers.hpp"
#include "util/zmtp.hpp"

using nlohmann::json;
using notify::cli::test::FakeIngest;
using notify::cli::test::notifyctl;
using notify::cli::test::ScratchDir;

namespace {

std::string config_for(const ScratchDir& dir, const std::string& endpoint) {
    return dir.write("notify.toml", "runtime_dir = \"" + dir.path() + "\"\n[ingest]\nlisten = \"" +
                                        endpoint + "\"\n");
}

// A TCP socket on a free port of 127.0.0.1, listening when asked; its port in `port`.
int loopback_socket(bool listening, int& port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), size) == 0);
    if (listening) REQUIRE(listen(fd, 4) == 0);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size);
    port = ntohs(a.sin_port);
    return fd;
}

// Serves the first connection to a free port of 127.0.0.1 with `serve`, on a
// thread of its own.
class LoopbackPeer {
  public:
    explicit LoopbackPeer(std::function<void(int connection)> serve)
        : fd_(loopback_socket(true, port_)), thread_([this, serve = std::move(serve)] {
              const int c = accept(fd_, nullptr, nullptr);
              if (c < 0) return;
              serve(c);
              close(c);
          }) {}
    ~LoopbackPeer() {
        shutdown(fd_, SHUT_RDWR);
        finish();
        close(fd_);
    }
    // Waits until the connection it serves is over.
    void finish() {
        if (thread_.joinable()) thread_.join();
    }
    std::string endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

  private:
    int port_ = 0;
    int fd_;
    std::thread thread_;
};

// Bytes read from `c` into `reader`, and the frames they complete into
// `frames`, until `enough` says so or the connection ends.
void read_frames(int c, notify::util::zmtp::Reader& reader,
                 std::vector<notify::util::zmtp::Frame>& frames,
                 const std::function<bool()>& enough) {
    bool greeted = false;
    while (!enough()) {
        char chunk[4096];
        const ssize_t n = read(c, chunk, sizeof chunk);
        if (n <= 0) return;
        reader.append(std::string_view(chunk, static_cast<size_t>(n)));
        if (!greeted) {
            auto verdict = reader.greeting();
            if (!verdict || !*verdict) continue;
            greeted = true;
        }
        for (auto f = reader.next(); f && *f; f = reader.next()) frames.push_back(**f);
    }
}

// A peer that speaks ZMTP by hand (util/zmtp), to send what libzmq's ROUTER
// does not on its own: it greets as a ROUTER, sends `before` at once, reads the
// request, sends `after`, reads on until notifyctl closes, and keeps the
// frames it read for the test.
class HandMadePeer {
  public:
    HandMadePeer(std::string before, std::string after)
        : before_(std::move(before)), after_(std::move(after)) {}
    std::string endpoint() const { return peer_.endpoint(); }
    // The frames read after the greeting, in order, once notifyctl has closed.
    const std::vector<notify::util::zmtp::Frame>& frames_read() {
        peer_.finish();
        return frames_;
    }

  private:
    void serve(int c) {
        const std::string hello = notify::util::zmtp::opening("ROUTER") + before_;
        (void)!write(c, hello.data(), hello.size());
        notify::util::zmtp::Reader reader(1 << 20);
        read_frames(c, reader, frames_, [this] {
            return std::any_of(frames_.begin(), frames_.end(),
                               [](const auto& f) { return !f.command && !f.more; });
        });
        (void)!write(c, after_.data(), after_.size());
        // Then whatever else comes until notifyctl closes (a PONG).
        read_frames(c, reader, frames_, [] { return false; });
    }

    std::string before_, after_;
    std::vector<notify::util::zmtp::Frame> frames_;
    LoopbackPeer peer_{[this](int c) { serve(c); }};  // last: it starts serving
};
}  // namespace

TEST_CASE("heartbeats are answered, and an ERROR after the request is 75", "[cli]") {
    namespace zmtp = notify::util::zmtp;
    ScratchDir dir;
    SECTION("a PING before the reply gets a PONG with its context") {
        const std::string reply = R"({"status":202,"body":{"id":"01JPING","deliveries":[]}})";
        HandMadePeer peer(zmtp::command("PING", std::string("\x00\x0a", 2) + "ctx-7"),
                          zmtp::message({"", reply}));
        auto r = notifyctl(
            {"--config", config_for(dir, peer.endpoint()), "send", "--channel", "email", "x"});
        INFO(r.err);
        CHECK(r.rc == 0);
        CHECK(r.out == "01JPING\n");
        // READY, "", the request, then the PONG (the PING is read with the reply).
        const auto& frames = peer.frames_read();
        REQUIRE(frames.size() == 4);
        CHECK(frames[1].body.empty());
        CHECK(json::parse(frames[2].body)["path"] == "/v1/notifications");
        auto pong = zmtp::read_command(frames[3].body);
        REQUIRE(pong);
        CHECK(pong->name == "PONG");
        CHECK(pong->data == "ctx-7");
    }
    SECTION("an ERROR once the request was sent: it may have been stored") {
        HandMadePeer peer("", zmtp::command("ERROR", std::string(1, '\x04') + "busy"));
        auto r = notifyctl(
            {"--config", config_for(dir, peer.endpoint()), "send", "--channel", "email", "x"});
        CHECK(r.rc == 75);
        CHECK(r.err == "notifyctl: error: notify-ingest at '" + peer.endpoint() +
                           "' refused the request: busy; the notification may "
                           "have been stored (check 'notifyctl ls' before sending again, or use "
                           "--idempotency-key)\n");
    }
}

TEST_CASE("notifyctl talks to libzmq's ROUTER over tcp:// and abstract ipc://, replies of any size",
          "[cli]") {
    const std::string big(200000, 'z');  // long frames, read across many receives
    auto answer = [&big](const json&) {
        return json{{"status", 202},
                    {"body", {{"id", "01JTCP"}, {"deliveries", json::array()}, {"note", big}}}};
    };
    SECTION("IPv4") {
        FakeIngest ingest("tcp://127.0.0.1:*", answer);
        ScratchDir dir;
        auto r = notifyctl({"--config", config_for(dir, ingest.endpoint()), "--json", "send",
                            "--channel", "email", "x"});
        REQUIRE(r.rc == 0);
        CHECK(json::parse(r.out)["note"] == big);
        REQUIRE(ingest.requests().size() == 1);
        CHECK(ingest.requests()[0]["body"]["body"] == "x");
    }
    SECTION("ipc:// in the abstract namespace, which has no file") {
        FakeIngest ingest("ipc://@notifyctl-test-" + std::to_string(getpid()), answer);
        ScratchDir dir;
        auto r = notifyctl(
            {"--config", config_for(dir, ingest.endpoint()), "send", "--channel", "email", "x"});
        CHECK(r.rc == 0);
        CHECK(r.out == "01JTCP\n");
    }
    SECTION("IPv6") {
        std::unique_ptr<FakeIngest> ingest;
        try {
            ingest = std::make_unique<FakeIngest>("tcp://[::1]:*", answer);
        } catch (const zmq::error_t& e) {
            WARN("no IPv6 loopback here: " << e.what());
            return;
        }
        ScratchDir dir;
        auto r = notifyctl(
            {"--config", config_for(dir, ingest->endpoint()), "send", "--channel", "email", "x"});
        CHECK(r.rc == 0);
        CHECK(r.out == "01JTCP\n");
    }
}

TEST_CASE("a peer that is not a ZeroMQ socket notifyctl can talk to", "[cli]") {
    ScratchDir dir;
    SECTION("a web server: 70") {
        // It answers what it does not understand as a web server would, and closes.
        LoopbackPeer web([](int c) {
            const std::string text = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            (void)!write(c, text.data(), text.size());
        });
        auto r = notifyctl(
            {"--config", config_for(dir, web.endpoint()), "send", "--channel", "email", "x"});
        CHECK(r.rc == 70);
        CHECK(r.err == "notifyctl: error: notify-ingest at '" + web.endpoint() +
                           "' broke ZeroMQ's protocol: it is not a ZeroMQ peer (no ZMTP "
                           "signature)\n");
    }
    SECTION("a ZeroMQ socket that requires CURVE closes each connection: 69, nothing sent") {
        zmq::context_t context{1};
        zmq::socket_t secure{context, zmq::socket_type::router};
        char public_key[41], secret_key[41];
        REQUIRE(zmq_curve_keypair(public_key, secret_key) == 0);
        secure.set(zmq::sockopt::linger, 0);
        secure.set(zmq::sockopt::curve_server, true);
        secure.set(zmq::sockopt::curve_secretkey, std::string(secret_key));
        secure.bind("tcp://127.0.0.1:*");
        const std::string endpoint = secure.get(zmq::sockopt::last_endpoint);
        auto r = notifyctl({"--config", config_for(dir, endpoint), "--timeout", "300ms", "send",
                            "--channel", "email", "x"});
        CHECK(r.rc == 69);
        CHECK(r.err == "notifyctl: error: notify-ingest is not reachable at '" + endpoint +
                           "': no connection within 300ms: the peer closed each one during "
                           "ZeroMQ's greeting (is it running? try 'notifyctl up')\n");
    }
}

TEST_CASE("nothing listening on a tcp:// port is 69 once the connection wait is over", "[cli]") {
    // A port just given up by a socket of this process: nothing listens there.
    int port = 0;
    close(loopback_socket(false, port));
    const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(port);
    ScratchDir dir;
    auto start = std::chrono::steady_clock::now();
    auto r = notifyctl({"--config", config_for(dir, endpoint), "--timeout", "300ms", "send",
                        "--channel", "email", "x"});
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.rc == 69);
    CHECK(r.err == "notifyctl: error: notify-ingest is not reachable at '" + endpoint +
                       "': no connection within 300ms (is it running? try 'notifyctl up')\n");
    CHECK(took >= std::chrono::milliseconds(250));
    CHECK(took < std::chrono::seconds(3));
}

TEST_CASE("an endpoint notifyctl cannot connect to is a usage error", "[cli]") {
    ScratchDir dir;
    for (const auto& [endpoint, why] : std::vector<std::pair<std::string, std::string>>{
             {"inproc://ingest", "notifyctl connects to ipc:// and tcp:// endpoints only"},
             {"tcp://127.0.0.1", "a tcp:// endpoint needs HOST:PORT"},
             {"tcp://127.0.0.1:99999", "'99999' is not a port number"},
             {"tcp://*:7600", "a tcp:// endpoint needs a host to connect to"}}) {
        auto r =
            notifyctl({"--config", config_for(dir, endpoint), "send", "--channel", "email", "x"});
        INFO(endpoint);
        CHECK(r.rc == 64);
        CHECK(r.err == "notifyctl: error: cannot connect to '" + endpoint +
                           "' (notifyctl.ingest): " + why + "\n");
    }
}
