// control.hpp - the router's control socket (router.control) for cancel and
// resend: each call opens a fresh REQ socket on a short-lived thread, waits at
// most the timeout for the reply, and posts the outcome back to the loop thread,
// so a router that is down never stalls the event loop. These calls are rare.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <thread>

#include "api.hpp"
#include "mailbox.hpp"

namespace notify::ingest {

constexpr Millis kControlTimeout = 3000;

class ZmqRouterControl : public RouterControl {
  public:
    ZmqRouterControl(void* zmq_context, std::string endpoint, Mailbox& mailbox,
                     Millis timeout = kControlTimeout)
        : zmq_context_(zmq_context),
          endpoint_(std::move(endpoint)),
          mailbox_(mailbox),
          timeout_(timeout) {}
    // Joins calls still running (each ends within the timeout).
    ~ZmqRouterControl() override;

    void call(const std::string& request, std::function<void(Expected<std::string>)> done) override;

  private:
    Expected<std::string> exchange(const std::string& request) const;

    void* zmq_context_;
    std::string endpoint_;
    Mailbox& mailbox_;
    Millis timeout_;
    std::uint64_t next_ = 0;
    std::map<std::uint64_t, std::thread> calls_;  // touched on the loop thread only
};

}  // namespace notify::ingest
