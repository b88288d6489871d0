// mailbox.hpp - hands work from other threads to the event loop thread: post()
// queues a function and wakes the loop through an eventfd; the loop runs the
// queued functions in order.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

struct event_base;
struct event;

namespace notify::ingest {

class Mailbox {
  public:
    // Registers the eventfd with `base`; throws std::system_error when it cannot.
    explicit Mailbox(event_base* base);
    ~Mailbox();
    Mailbox(const Mailbox&) = delete;
    Mailbox& operator=(const Mailbox&) = delete;

    // Thread-safe.
    void post(std::function<void()> fn);

  private:
    static void on_wake(int fd, short what, void* arg);
    void run_posted();

    int fd_ = -1;
    event* ev_ = nullptr;
    std::mutex mu_;
    std::vector<std::function<void()>> queue_;
};

}  // namespace notify::ingest
