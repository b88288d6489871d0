// control.hpp - the router's control socket (router.control) for cancel and
// resend, receipts and metrics: each call opens a fresh REQ socket on a
// short-lived thread, waits at most the timeout for the reply, and posts the
// outcome back to the loop thread, so a router that is down never stalls the
// event loop. At most `max_calls` wait at once (a flood of receipts or scrapes
// while the router is slow); more are refused at once as temporary (503).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "api.hpp"
#include "mailbox.hpp"

namespace notify::ingest {

constexpr Millis kControlTimeout = 3000;
constexpr std::size_t kMaxControlCalls = 64;

class ZmqRouterControl : public RouterControl {
  public:
    // `endpoints`: ingest.router (router_endpoints.hpp).
    ZmqRouterControl(void* zmq_context, std::vector<std::string> endpoints, Mailbox& mailbox,
                     Millis timeout = kControlTimeout, std::size_t max_calls = kMaxControlCalls)
        : zmq_context_(zmq_context),
          endpoints_(std::move(endpoints)),
          mailbox_(mailbox),
          timeout_(timeout),
          max_calls_(max_calls) {}
    // Joins calls still running (each ends within the timeout).
    ~ZmqRouterControl() override;

    void call(const std::string& request, std::function<void(Expected<std::string>)> done) override;

  private:
    Expected<std::string> exchange(const std::string& request) const;

    void* zmq_context_;
    std::vector<std::string> endpoints_;
    Mailbox& mailbox_;
    Millis timeout_;
    std::size_t max_calls_;
    std::uint64_t next_ = 0;
    std::map<std::uint64_t, std::thread> calls_;  // touched on the loop thread only
};

}  // namespace notify::ingest
