// presence.cpp - the thread that writes a process's row of cluster_members.
#include "store/presence.hpp"

#include <unistd.h>

#include "util/log.hpp"

namespace notify::store {

std::string host_name() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "localhost";
    return host;
}

Presence::Presence(std::unique_ptr<Store> store, const std::string& role,
                   const std::string& runtime_dir)
    : store_(std::move(store)) {
    member_.role = role;
    member_.host = host_name();
    member_.id = member_id(role, member_.host, runtime_dir);
    member_.pid = getpid();
}

Presence::~Presence() {
    end_thread();
}

void Presence::describe(std::string detail) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        described_ = std::move(detail);
        described_at_ = util::steady_ms();
    }
    wake_.notify_all();
}

void Presence::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

bool Presence::end_thread() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_ || !thread_.joinable()) return false;
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    return announced_;
}

void Presence::stop() {
    if (!end_thread()) return;
    std::string last;
    {
        std::lock_guard<std::mutex> lock(mu_);
        last = described_;
    }
    try {
        stopped(*store_, member_.id, last);
    } catch (const StoreFailure& f) {
        NLOG(warning, "",
             "cannot mark this " << member_.role << " stopped in the store: " << f.message);
    }
}

bool Presence::write(bool first) {
    try {
        const util::Millis now = util::steady_ms();
        if (first || now >= next_forget_) {
            forget_members(*store_, kForgetMember);
            next_forget_ = now + kForgetEvery;
        }
        beat(*store_, member_, first);
        if (failing_) NLOG(info, "", "the store takes this " << member_.role << "'s beats again");
        failing_ = false;
        return true;
    } catch (const StoreFailure& f) {
        if (!failing_)
            NLOG(warning, "",
                 "cannot write this " << member_.role << "'s beat (cluster status): " << f.message);
        failing_ = true;
        return false;
    }
}

void Presence::run() {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait(lock, [this] { return stopping_ || !described_.empty(); });
    bool first = true, mute = false;
    while (!stopping_) {
        // A process that has said nothing for kMute is not spoken for.
        const util::Millis quiet = util::steady_ms() - described_at_;
        if (quiet > kMute) {
            if (!mute)
                NLOG(warning, "",
                     "this " << member_.role << " has said nothing for " << quiet
                             << " ms: it is not announced until it does");
            mute = true;
        } else {
            if (mute) NLOG(info, "", "this " << member_.role << " speaks again");
            mute = false;
            member_.detail = described_;
            lock.unlock();
            if (write(first)) {
                announced_ = true;
                first = false;
            }
            lock.lock();
        }
        wake_.wait_for(lock, std::chrono::milliseconds(kBeat), [this] { return stopping_; });
    }
}

}  // namespace notify::store
