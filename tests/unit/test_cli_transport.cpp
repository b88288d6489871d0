// test_cli_transport.cpp - notifyctl speaks ZeroMQ's wire protocol to
// notify-ingest itself: against libzmq's own ROUTER socket over tcp:// (IPv4
// and IPv6) with replies of any size, and what it says when the peer is not a
// ZeroMQ socket it can talk to, or the endpoint is not one it can use. (The
// ipc:// files of a stack are tested in test_cli_client.cpp.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>
#include <zmq.hpp>

#include "test_cli_fake_ingest.hpp"
#include "test_cli_helpers.hpp"

using nlohmann::json;
using notify::cli::test::FakeIngest;
using notify::cli::test::notifyctl;
using notify::cli::test::ScratchDir;

namespace {

std::string config_for(const ScratchDir& dir, const std::string& endpoint) {
    return dir.write("notify.toml", "runtime_dir = \"" + dir.path() + "\"\n[ingest]\nlisten = \"" +
                                        endpoint + "\"\n");
}

// A TCP listener on 127.0.0.1 that answers its first connection with `text`
// and closes it, as a web server would answer bytes it does not understand.
class NotZeroMq {
  public:
    explicit NotZeroMq(std::string text) : text_(std::move(text)) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof a;
        REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), size) == 0);
        REQUIRE(listen(fd_, 4) == 0);
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &size);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] {
            int c = accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            (void)!write(c, text_.data(), text_.size());
            close(c);
        });
    }
    ~NotZeroMq() {
        shutdown(fd_, SHUT_RDWR);
        thread_.join();
        close(fd_);
    }
    std::string endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

  private:
    std::string text_;
    int fd_ = -1;
    int port_ = 0;
    std::thread thread_;
};

}  // namespace

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
        NotZeroMq web("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
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
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    REQUIRE(bind(probe, reinterpret_cast<sockaddr*>(&a), size) == 0);
    getsockname(probe, reinterpret_cast<sockaddr*>(&a), &size);
    close(probe);
    const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
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
        CHECK(r.err == "notifyctl: error: cannot connect to ingest.listen '" + endpoint +
                           "': " + why + "\n");
    }
}
