// test_cli_fake_ingest.hpp - a ZeroMQ ROUTER standing in for notify-ingest in
// the notifyctl unit tests: it answers each request with what the test says
// and keeps the requests; and a scratch directory whose configuration points
// notifyctl at it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "test_cli_helpers.hpp"

namespace notify::cli::test {

// Answers every request with what `answer` returns for it, and keeps the
// requests for the test to look at.
class FakeIngest {
  public:
    using Answer = std::function<nlohmann::json(const nlohmann::json& request)>;
    FakeIngest(const std::string& endpoint, Answer answer) : answer_(std::move(answer)) {
        socket_.set(zmq::sockopt::linger, 0);
        socket_.set(zmq::sockopt::ipv6, true);  // tcp://[::1]:* as well
        socket_.bind(endpoint);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeIngest() {
        stop_ = true;
        thread_.join();
    }
    // Where it listens: for tcp://HOST:*, the port it was given.
    std::string endpoint() const { return socket_.get(zmq::sockopt::last_endpoint); }
    std::vector<nlohmann::json> requests() {
        std::lock_guard<std::mutex> lock(mu_);
        return requests_;
    }

  private:
    void serve() {
        while (!stop_) {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(20));
            if (!(item.revents & ZMQ_POLLIN)) continue;
            std::vector<zmq::message_t> parts;
            for (bool more = true; more;) {
                zmq::message_t m;
                (void)socket_.recv(m);
                more = m.more();
                parts.push_back(std::move(m));
            }
            auto request = nlohmann::json::parse(parts.back().to_string(), nullptr, false);
            {
                std::lock_guard<std::mutex> lock(mu_);
                requests_.push_back(request);
            }
            std::string reply = answer_(request).dump();
            for (size_t i = 0; i + 1 < parts.size(); ++i)
                socket_.send(parts[i], zmq::send_flags::sndmore);
            socket_.send(zmq::buffer(reply), zmq::send_flags::none);
        }
    }

    zmq::context_t context_{1};
    zmq::socket_t socket_{context_, zmq::socket_type::router};
    Answer answer_;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::vector<nlohmann::json> requests_;
    std::thread thread_;
};

// A scratch directory with a configuration whose ingest endpoint is an ipc
// socket inside it, for a FakeIngest to bind.
struct IngestSetup {
    ScratchDir dir;
    std::string endpoint = "ipc://" + dir.path() + "/ingest.sock";
    std::string config =
        dir.write("notify.toml", "runtime_dir = \"" + dir.path() + "\"\n[ingest]\nlisten = \"" +
                                     endpoint + "\"\n");
};

}  // namespace notify::cli::test
