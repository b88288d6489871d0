// zmtp_req.hpp - one request to notify-ingest and its reply, as a ZeroMQ REQ
// socket makes it, over a plain connection that speaks ZeroMQ's wire protocol
// itself (util/zmtp.hpp): no libzmq to load, no I/O thread to start and stop.
// Endpoints are ingest.listen's: ipc://PATH (ipc://@NAME for the abstract
// namespace) and tcp://HOST:PORT (HOST a name, an IPv4 address or [IPv6]).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::cli {

// Connects (trying again while refused, as libzmq does, until `connect_wait`
// has passed), exchanges greetings, sends `request`, and waits for the reply's
// body until `timeout` has passed since the call. The error's code says which
// step failed; its message is what happened ("did not answer within 5s"), for
// the caller to frame:
//   bad_endpoint (usage)         the endpoint cannot be used at all
//   not_reachable (unavailable)  no connection and greetings in time: nothing was sent
//   no_answer (temporary)        sent, and no reply came (in time, or before the peer closed)
//   zmtp (internal)              the peer broke the protocol
Expected<std::string> zmtp_request(const std::string& endpoint, std::string_view request,
                                   util::Millis connect_wait, util::Millis timeout,
                                   uint64_t max_reply);

}  // namespace notify::cli
