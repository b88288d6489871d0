// commit_thread.cpp - the router's commits on their own thread; see commit_thread.hpp.
#include "commit_thread.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace notify::router {

CommitThread::CommitThread(std::unique_ptr<store::Store> store) : store_(std::move(store)) {
    fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd_ < 0)
        throw std::runtime_error(std::string("cannot make the commit thread's eventfd: ") +
                                 std::strerror(errno));
    try {
        thread_ = std::thread([this] { run(); });
    } catch (...) {
        close(fd_);
        throw;
    }
}

CommitThread::~CommitThread() {
    {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !job_ && !running_; });
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    close(fd_);
}

void CommitThread::start(Job job) {
    {
        std::lock_guard lock(mu_);
        job_ = std::move(job);
        busy_ = true;
    }
    cv_.notify_all();
}

void CommitThread::run() {
    std::unique_lock lock(mu_);
    while (true) {
        cv_.wait(lock, [&] { return stopping_ || job_; });
        if (!job_) return;  // stopping, nothing left
        Job job;
        job.swap(job_);
        running_ = true;
        lock.unlock();
        const auto started = std::chrono::steady_clock::now();
        Status st = ok();
        try {
            st = job();
        } catch (const std::exception& e) {
            st = make_error(ErrorKind::internal, "commit_failed",
                            std::string("the commit failed: ") + e.what());
        } catch (...) {
            st = make_error(ErrorKind::internal, "commit_failed", "the commit failed");
        }
        job = nullptr;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        lock.lock();
        outcome_ = Outcome{std::move(st), seconds};
        running_ = false;
        const std::uint64_t one = 1;
        // Cannot fail short of a counter at its maximum, which one write per job never reaches.
        [[maybe_unused]] auto n = write(fd_, &one, sizeof one);
        cv_.notify_all();
    }
}

CommitThread::Outcome CommitThread::take() {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = read(fd_, &count, sizeof count);
    busy_ = false;
    Outcome out = std::move(*outcome_);
    outcome_.reset();
    return out;
}

std::optional<CommitThread::Outcome> CommitThread::finished() {
    if (!busy_) return std::nullopt;
    std::lock_guard lock(mu_);
    if (!outcome_) return std::nullopt;
    return take();
}

std::optional<CommitThread::Outcome> CommitThread::wait() {
    if (!busy_) return std::nullopt;
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return outcome_.has_value(); });
    return take();
}

}  // namespace notify::router
