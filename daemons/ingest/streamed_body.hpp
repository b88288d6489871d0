// streamed_body.hpp - an answer's body made on another thread and sent as it
// is made. The maker puts pieces; the transport takes them on the loop thread
// and writes them to the client, saying how much has gone out. The maker waits
// while more than kWindow bytes are put and not written yet, so a slow client
// holds back the maker rather than filling memory, but not for ever: a client
// that takes nothing for `max_wait`, or is not done within kMaxTotal, has its
// answer cut off (a maker holds a read of the store open). The transport
// cancels the body when the client goes; the maker's next put then answers
// false.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace notify::ingest {

// Runs a function on the loop thread (Mailbox::post).
using PostToLoop = std::function<void(std::function<void()>)>;

class StreamedBody : public std::enable_shared_from_this<StreamedBody> {
  public:
    static constexpr std::size_t kWindow = 4u << 20;
    static constexpr std::chrono::minutes kMaxTotal{10};

    StreamedBody(PostToLoop post, std::chrono::milliseconds max_wait)
        : post_(std::move(post)),
          max_wait_(max_wait),
          deadline_(std::chrono::steady_clock::now() + kMaxTotal) {}

    // --- the maker's thread
    // Hands `piece` on, first waiting for room; false when the body was
    // canceled, or is cut off now for want of room (nothing more will be sent).
    bool put(std::string piece);
    // The last piece is put: whole when `failure` is empty, else cut short
    // for that reason (the client must not take it for the whole answer).
    void finish(std::string failure = {});

    // --- the loop thread
    // `ready` runs on the loop thread after each put and after finish.
    void on_ready(std::function<void()> ready) { ready_ = std::move(ready); }
    struct Taken {
        std::vector<std::string> pieces;
        bool finished = false;
        std::string failure;  // with finished: why it was cut short
    };
    // The pieces put since the last take, and whether that was all.
    Taken take();
    // `bytes` of what was taken have reached the client's socket.
    void written(std::size_t bytes);
    // The client went: the maker stops at its next put.
    void cancel();

  private:
    void wake();

    PostToLoop post_;
    std::chrono::milliseconds max_wait_;
    std::chrono::steady_clock::time_point deadline_;
    std::function<void()> ready_;  // loop thread only
    std::mutex mu_;
    std::condition_variable room_;
    std::vector<std::string> pieces_;
    std::size_t unwritten_ = 0;  // put and not written yet
    bool finished_ = false;
    bool canceled_ = false;
    std::string failure_;
};

}  // namespace notify::ingest
