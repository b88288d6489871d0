// control.cpp - one REQ exchange with the router per cancel or resend.
#include "control.hpp"

#include <zmq.h>

#include "router_endpoints.hpp"

namespace notify::ingest {

ZmqRouterControl::~ZmqRouterControl() {
    for (auto& [_, t] : calls_)
        if (t.joinable()) t.join();
}

Expected<std::string> ZmqRouterControl::exchange(const std::string& request) const {
    auto unavailable = [&](const std::string& why) {
        return make_error(ErrorKind::unavailable, "router_unavailable",
                          "the router (ingest.router '" + joined(endpoints_) + "'): " + why);
    };
    void* s = zmq_socket(zmq_context_, ZMQ_REQ);
    if (!s) return unavailable(zmq_strerror(zmq_errno()));
    int timeout = static_cast<int>(timeout_), linger = 0;
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    Expected<std::string> out = unavailable("no answer within " + std::to_string(timeout_) + " ms");
    if (std::string why; !connect_routers(s, endpoints_, why)) {
        out = unavailable(why);
    } else if (zmq_send(s, request.data(), request.size(), 0) >= 0) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, s, 0) >= 0)
            out = std::string(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
        zmq_msg_close(&msg);
    }
    zmq_close(s);
    return out;
}

void ZmqRouterControl::call(const std::string& request,
                            std::function<void(Expected<std::string>)> done) {
    if (calls_.size() >= max_calls_) {
        Error busy = make_error(ErrorKind::temporary, "router_busy",
                                "the router (ingest.router '" + joined(endpoints_) +
                                    "'): " + std::to_string(calls_.size()) +
                                    " calls are waiting for the router already; try again");
        mailbox_.post(
            [busy = std::move(busy), done = std::move(done)]() mutable { done(std::move(busy)); });
        return;
    }
    std::uint64_t id = next_++;
    calls_[id] = std::thread([this, id, request, done = std::move(done)]() mutable {
        auto reply = exchange(request);
        mailbox_.post([this, id, reply = std::move(reply), done = std::move(done)]() mutable {
            // The thread has nothing left to do but return.
            auto it = calls_.find(id);
            if (it != calls_.end()) {
                it->second.join();
                calls_.erase(it);
            }
            done(std::move(reply));
        });
    });
}

}  // namespace notify::ingest
