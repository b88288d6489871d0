// zmtp.hpp - ZeroMQ's wire protocol, ZMTP 3.0 (RFC 23), as much of it as one
// side of a connection with the NULL mechanism needs: what it sends first (its
// greeting and the READY command naming its socket type), a message as
// frames, and a reader that takes the peer's bytes as they arrive and gives
// back its greeting's verdict and then whole frames. Nothing here touches a
// socket; notifyctl's REQ side (cli/zmtp_req.hpp) does. Errors are internal,
// code "zmtp", saying what the peer did wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace notify::util::zmtp {

constexpr size_t kGreetingSize = 64;

// The greeting (version 3.0, mechanism NULL, as client) and the READY command
// with the Socket-Type property, as one piece to write.
std::string opening(std::string_view socket_type);

// A command frame: its name, then `data` (a PONG's context, say).
std::string command(std::string_view name, std::string_view data);

// The frames of one message: every part but the last flagged "more". A REQ
// socket's request is {"", body}: an empty delimiter, then the body.
std::string message(const std::vector<std::string_view>& parts);

struct Frame {
    bool command = false;  // a command (READY, ERROR, PING...) rather than a message part
    bool more = false;     // another part of the same message follows
    std::string body;
};

// A command frame's name ("READY") and what follows it.
struct Command {
    std::string name;
    std::string data;
};
Expected<Command> read_command(std::string_view body);

// The value of a READY command's property `name` (names compare without case,
// as the protocol says), or nullopt when it has none. An error for properties
// that overrun the command.
Expected<std::optional<std::string>> ready_property(std::string_view data, std::string_view name);

// The reason an ERROR command gives.
std::string error_reason(std::string_view data);

// Reads what the peer sends: first its greeting, then frames. Each frame's
// size is checked against `max_frame` before any of it is kept.
class Reader {
  public:
    explicit Reader(uint64_t max_frame) : max_frame_(max_frame) {}
    void append(std::string_view bytes);
    // Once its 64 bytes are in, whether the greeting is ZMTP 3 with the NULL
    // mechanism: true; false while more bytes are needed; an error otherwise.
    Expected<bool> greeting();
    // The next whole frame, nullopt while more bytes are needed; an error for
    // one over the limit or with reserved flags set. Only after greeting().
    Expected<std::optional<Frame>> next();

  private:
    std::string buffer_;
    size_t at_ = 0;  // bytes of buffer_ already read
    bool greeted_ = false;
    uint64_t max_frame_;
};

}  // namespace notify::util::zmtp
