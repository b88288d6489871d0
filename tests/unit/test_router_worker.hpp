// test_router_worker.hpp - a router running in a thread over a TempStore,
// a fake worker on its socket, and sends stored as ingest stores them.
#pragma once

#include <catch2/catch.hpp>
#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "router.hpp"
#include "test_router_fixture.hpp"
#include "util/id.hpp"
#include "wire.hpp"

namespace notify::testing {

// Gives the router of `c` sockets of its own, named by `tag` and the process.
inline void own_sockets(Config& c, const std::string& tag) {
    const std::string base = "ipc:///tmp/notify-router-" + tag + "-" + std::to_string(getpid());
    c.router.listen = base + "-listen.sock";
    c.router.control = base + "-control.sock";
}

// Stores one notification with a delivery to each of `to` on `channel`.
inline std::string send(store::Store& s, const std::string& channel,
                        const std::vector<std::string>& to, const std::string& body = "b") {
    store::Accepted a;
    a.notification.created_at = util::now_ms();
    a.notification.id = util::new_ulid(a.notification.created_at);
    a.notification.channel = channel;
    a.notification.to = to;
    a.notification.subject = "s";
    a.notification.body = body;
    for (std::size_t i = 0; i < to.size(); ++i) {
        Delivery d;
        d.id = delivery_id_for(a.notification.id, i);
        d.notification_id = a.notification.id;
        d.channel = channel;
        d.recipient = to[i];
        d.created_at = d.updated_at = a.notification.created_at;
        a.deliveries.push_back(d);
    }
    std::vector<store::Accepted> batch{a};
    REQUIRE(s.insert_batch(batch));
    return a.notification.id;
}

// A worker as the router sees one: a DEALER that announces credit and reads jobs.
class FakeWorker {
  public:
    FakeWorker(zmq::context_t& ctx, const std::string& endpoint, int credit)
        : socket_(ctx, zmq::socket_type::dealer) {
        socket_.set(zmq::sockopt::linger, 0);
        socket_.connect(endpoint);
        send(wire::encode(wire::Ready{"fake", credit, {}}));
    }
    void send(const std::string& frame) { socket_.send(zmq::buffer(frame), zmq::send_flags::none); }
    // The next job within `ms`, or nothing.
    std::optional<wire::Job> job(int ms) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (std::chrono::steady_clock::now() < deadline) {
            zmq::pollitem_t item{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(50));
            zmq::message_t msg;
            if (!socket_.recv(msg, zmq::recv_flags::dontwait)) continue;
            const std::string frame = msg.to_string();
            if (auto job = wire::decode(frame).job) return job;
        }
        return std::nullopt;
    }
    void answer(const wire::Job& j, wire::Outcome outcome, const std::string& code = "503",
                bool provider_fault = false) {
        wire::Result r;
        r.provider_fault = provider_fault;
        r.delivery_id = j.delivery_id;
        r.attempt = j.attempt;
        r.outcome = outcome;
        r.provider = j.provider;
        r.code = code;
        r.message = outcome == wire::Outcome::sent ? "" : "busy";
        send(wire::encode(r));
    }

  private:
    zmq::socket_t socket_;
};

// Runs a router over the store in a thread for the life of the object, on
// connections of its own (one for its loop, one for its commits, as the
// daemon does), so that several can run at once.
class RunningRouter {
  public:
    // Serving `partitions`, when given (Router::serve).
    RunningRouter(const Config& config, TempStore& store,
                  std::optional<PartitionSet> partitions = std::nullopt)
        : loop_(store.open()), router_(config, *loop_, store.open()) {
        if (partitions) router_.serve(std::move(*partitions));
        REQUIRE(router_.start());
        thread_ = std::thread([this] { router_.run(stop_); });
    }
    ~RunningRouter() {
        stop_ = true;
        thread_.join();
    }

  private:
    std::unique_ptr<store::Store> loop_;
    router::Router router_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// Asks the router's control socket, as ingest does.
inline std::string control_request(zmq::context_t& ctx, const std::string& endpoint,
                                   const std::string& request) {
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::linger, 0);
    req.set(zmq::sockopt::rcvtimeo, 10000);
    req.connect(endpoint);
    req.send(zmq::buffer(request), zmq::send_flags::none);
    zmq::message_t reply;
    REQUIRE(req.recv(reply, zmq::recv_flags::none));
    return reply.to_string();
}

// Waits (with a deadline) until `done` holds.
template <typename F>
bool eventually(F done, int ms = 5000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
}

}  // namespace notify::testing
