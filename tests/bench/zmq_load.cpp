// zmq_load.cpp - DEALER sockets polled from one thread.
#include "zmq_load.hpp"

#include <vector>
#include <zmq.hpp>

#include "clock.hpp"
#include "util/strings.hpp"

namespace notify::bench {

ZmqLoadResult run_zmq_load(const ZmqLoadSpec& spec) {
    ZmqLoadResult result;
    zmq::context_t context(1);
    std::vector<zmq::socket_t> sockets;
    std::vector<int> outstanding(static_cast<size_t>(spec.sockets), 0);
    for (int i = 0; i < spec.sockets; ++i) {
        sockets.emplace_back(context, zmq::socket_type::dealer);
        sockets.back().set(zmq::sockopt::linger, 0);
        sockets.back().connect(spec.endpoint);
    }
    Micros start = now_us();
    Micros deadline = start + static_cast<Micros>(spec.seconds * 1e6);
    Micros last_reply = start;
    // No new requests after the deadline; the ones out then get this long to answer.
    const Micros drain_deadline = deadline + 5'000'000;

    auto send_one = [&](size_t i) {
        sockets[i].send(zmq::message_t(), zmq::send_flags::sndmore);
        sockets[i].send(zmq::buffer(spec.payload), zmq::send_flags::none);
        ++outstanding[i];
        ++result.sent;
    };
    for (size_t i = 0; i < sockets.size(); ++i)
        for (int w = 0; w < spec.window && result.sent < spec.count; ++w) send_one(i);

    std::vector<zmq::pollitem_t> items;
    for (auto& s : sockets) items.push_back({s.handle(), 0, ZMQ_POLLIN, 0});
    long waiting = result.sent;
    while (waiting > 0 && now_us() < drain_deadline) {
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
        for (size_t i = 0; i < sockets.size(); ++i) {
            if (!(items[i].revents & ZMQ_POLLIN)) continue;
            while (true) {
                zmq::message_t delimiter;
                if (!sockets[i].recv(delimiter, zmq::recv_flags::dontwait)) break;
                zmq::message_t reply;
                if (delimiter.more()) (void)sockets[i].recv(reply, zmq::recv_flags::none);
                --outstanding[i];
                --waiting;
                last_reply = now_us();
                std::string text = reply.to_string();
                if (util::starts_with(text, "{\"status\":202")) {
                    ++result.accepted;
                } else {
                    if (result.first_rejection.empty())
                        result.first_rejection = text.substr(0, 300);
                    ++result.rejected;
                }
                if (result.sent < spec.count && last_reply < deadline) {
                    send_one(i);
                    ++waiting;
                }
            }
        }
    }
    result.elapsed = seconds_between(start, last_reply);
    return result;
}

}  // namespace notify::bench
