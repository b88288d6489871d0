// mailbox.cpp - cross-thread wake-ups for the event loop over an eventfd.
#include "mailbox.hpp"

#include <event2/event.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace notify::ingest {

Mailbox::Mailbox(event_base* base) {
    fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    ev_ = event_new(base, fd_, EV_READ | EV_PERSIST, &Mailbox::on_wake, this);
    if (!ev_ || event_add(ev_, nullptr) != 0) {
        if (ev_) event_free(ev_);
        close(fd_);
        throw std::system_error(EINVAL, std::generic_category(), "cannot watch the eventfd");
    }
}

Mailbox::~Mailbox() {
    if (ev_) event_free(ev_);
    if (fd_ >= 0) close(fd_);
}

void Mailbox::post(std::function<void()> fn) {
    bool wake;
    {
        std::lock_guard lock(mu_);
        wake = queue_.empty();
        queue_.push_back(std::move(fn));
    }
    // One wake-up per non-empty transition: the loop takes the whole queue.
    if (wake) {
        std::uint64_t one = 1;
        ssize_t n = write(fd_, &one, sizeof one);
        (void)n;  // EAGAIN only when the counter is saturated: a wake-up is pending anyway
    }
}

void Mailbox::on_wake(int fd, short, void* arg) {
    std::uint64_t count;
    ssize_t n = read(fd, &count, sizeof count);
    (void)n;
    static_cast<Mailbox*>(arg)->run_posted();
}

void Mailbox::run_posted() {
    std::vector<std::function<void()>> work;
    {
        std::lock_guard lock(mu_);
        work.swap(queue_);
    }
    for (auto& fn : work) fn();
}

}  // namespace notify::ingest
