// control.cpp - a request on router.control, asked of every router that
// delivers and answered once they answer for every partition.
#include "control.hpp"

#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "router_endpoints.hpp"
#include "router_replies.hpp"

namespace notify::ingest {

namespace {
// The op a request names ("" when none).
std::string op_of(const std::string& request) {
    const auto j = nlohmann::json::parse(request, nullptr, false);
    return j.is_object() && j.contains("op") && j["op"].is_string() ? j["op"].get<std::string>()
                                                                    : std::string();
}
}  // namespace

ZmqRouterControl::~ZmqRouterControl() {
    for (auto& [_, t] : calls_)
        if (t.joinable()) t.join();
}

Expected<std::string> ZmqRouterControl::exchange(const std::string& request) const {
    auto unavailable = [&](const std::string& why) {
        return make_error(ErrorKind::unavailable, "router_unavailable",
                          "the router (ingest.router '" + joined(endpoints_) + "'): " + why);
    };
    // A socket per router, sending only once it is connected: a router
    // standing by binds nothing, and is never asked.
    std::vector<void*> sockets;
    auto close_all = [&] {
        for (void* s : sockets) zmq_close(s);
    };
    for (const auto& endpoint : endpoints_) {
        void* s = zmq_socket(zmq_context_, ZMQ_REQ);
        if (!s) {
            close_all();
            return unavailable(zmq_strerror(zmq_errno()));
        }
        sockets.push_back(s);
        int linger = 0;
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
        if (std::string why; !connect_routers(s, {endpoint}, why)) {
            close_all();
            return unavailable(why);
        }
    }
    RouterReplies replies(op_of(request));
    enum class Step { to_ask, asked, answered };
    std::vector<Step> steps(sockets.size(), Step::to_ask);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_);
    // An error answering for every partition waits for the other routers
    // asked: another bound router may answer for them without one.
    auto waiting_for_asked = [&] {
        return std::find(steps.begin(), steps.end(), Step::asked) != steps.end();
    };
    while (!replies.complete() || (replies.has_error() && waiting_for_asked())) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) break;
        std::vector<zmq_pollitem_t> items;
        std::vector<std::size_t> which;
        for (std::size_t i = 0; i < sockets.size(); ++i) {
            if (steps[i] == Step::answered) continue;
            items.push_back(
                {sockets[i], 0,
                 static_cast<short>(steps[i] == Step::to_ask ? ZMQ_POLLOUT : ZMQ_POLLIN), 0});
            which.push_back(i);
        }
        if (items.empty() || zmq_poll(items.data(), static_cast<int>(items.size()), left) < 0)
            break;
        for (std::size_t k = 0; k < items.size(); ++k) {
            const std::size_t i = which[k];
            if ((items[k].revents & ZMQ_POLLOUT) &&
                zmq_send(sockets[i], request.data(), request.size(), ZMQ_DONTWAIT) >= 0)
                steps[i] = Step::asked;
            if (items[k].revents & ZMQ_POLLIN) {
                zmq_msg_t msg;
                zmq_msg_init(&msg);
                if (zmq_msg_recv(&msg, sockets[i], ZMQ_DONTWAIT) >= 0) {
                    replies.add(std::string(static_cast<const char*>(zmq_msg_data(&msg)),
                                            zmq_msg_size(&msg)));
                    steps[i] = Step::answered;
                }
                zmq_msg_close(&msg);
            }
        }
    }
    close_all();
    if (replies.complete()) return replies.merged();
    if (replies.empty()) return unavailable("no answer within " + std::to_string(timeout_) + " ms");
    return unavailable("the routers that answered within " + std::to_string(timeout_) +
                       " ms deliver " + replies.answered() + " only");
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
