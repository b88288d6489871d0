// last_words.cpp - the fatal-signal handler behind last_words.hpp.
#include "last_words.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace notify::worker::last_words {

namespace {

constexpr std::size_t kLineBytes = 256;
constexpr std::size_t kAltStackBytes = 64 * 1024;
constexpr std::size_t kUnnamed = static_cast<std::size_t>(-1);
constexpr int kFatal[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};

// A line the handler may write: `length` is 0 while the slot is free or being
// filled, and is set last.
struct Slot {
    std::atomic<std::uint32_t> length{0};
    char text[kLineBytes];
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<long>::is_always_lock_free);

Slot* g_slots = nullptr;
std::size_t g_capacity = 0;
// The signal stack lives as long as the process; held here so that it stays
// reachable (and is not reported as a leak at exit).
void* g_alt_stack = nullptr;
std::atomic<long> g_unnamed{0};  // jobs in flight without a slot
// The worker thread's own bookkeeping; never read by the handler.
std::unordered_map<std::string, std::size_t>* g_slot_of = nullptr;
std::vector<std::size_t>* g_free = nullptr;

std::string key_of(const wire::Job& job) {
    return job.delivery_id + "#" + std::to_string(job.attempt);
}

void put(const char* text, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::write(2, text, n);
        if (w <= 0) return;
        text += w;
        n -= static_cast<std::size_t>(w);
    }
}

void put(const char* text) {
    put(text, std::strlen(text));
}

// Decimal digits of `v` without the C library's formatting (not signal-safe).
void put_number(long v) {
    char buf[24];
    std::size_t i = sizeof buf;
    bool negative = v < 0;
    unsigned long u =
        negative ? 0UL - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
    do {
        buf[--i] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u && i > 1);
    if (negative) buf[--i] = '-';
    put(buf + i, sizeof buf - i);
}

const char* signal_name(int sig) {
    switch (sig) {
        case SIGSEGV:
            return "SIGSEGV";
        case SIGBUS:
            return "SIGBUS";
        case SIGABRT:
            return "SIGABRT";
        case SIGFPE:
            return "SIGFPE";
        case SIGILL:
            return "SIGILL";
    }
    return "a fatal signal";
}

extern "C" void on_fatal_signal(int sig) {
    put("notify-channel-worker: error: dying of ");
    put(signal_name(sig));
    put("; deliveries in flight follow\n");
    for (std::size_t i = 0; i < g_capacity; ++i) {
        std::uint32_t n = g_slots[i].length.load(std::memory_order_acquire);
        if (n) put(g_slots[i].text, n);
    }
    if (long more = g_unnamed.load(std::memory_order_relaxed); more > 0) {
        put("notify-channel-worker: error: and ");
        put_number(more);
        put(" more deliveries in flight\n");
    }
    // SA_RESETHAND restored the default action: the signal kills the process once
    // this handler returns (a fault happens again, a raised one is delivered).
    raise(sig);
}

}  // namespace

bool install(std::size_t capacity) {
    g_capacity = std::max<std::size_t>(capacity, 1);
    g_slots = new Slot[g_capacity];
    g_slot_of = new std::unordered_map<std::string, std::size_t>();
    g_free = new std::vector<std::size_t>();
    g_free->reserve(g_capacity);
    for (std::size_t i = g_capacity; i > 0; --i) g_free->push_back(i - 1);

    stack_t stack{};
    stack.ss_size = std::max<std::size_t>(kAltStackBytes, SIGSTKSZ);
    g_alt_stack = std::malloc(stack.ss_size);
    stack.ss_sp = g_alt_stack;
    if (!stack.ss_sp || sigaltstack(&stack, nullptr) != 0) return false;
    struct sigaction sa {};
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    for (int sig : kFatal)
        if (sigaction(sig, &sa, nullptr) != 0) return false;
    return true;
}

void note(const wire::Job& job) {
    if (!g_slot_of) return;
    auto [it, inserted] = g_slot_of->try_emplace(key_of(job), kUnnamed);
    if (!inserted) return;
    if (g_free->empty()) {
        g_unnamed.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::size_t i = g_free->back();
    g_free->pop_back();
    it->second = i;
    std::string line = "notify-channel-worker: error: " + job.notification_id +
                       ": delivery=" + job.delivery_id + " provider=" + job.provider +
                       " attempt=" + std::to_string(job.attempt) +
                       " was in flight when the worker died";
    line.resize(std::min(line.size(), kLineBytes - 1));
    line += '\n';
    std::memcpy(g_slots[i].text, line.data(), line.size());
    g_slots[i].length.store(static_cast<std::uint32_t>(line.size()), std::memory_order_release);
}

void forget(const wire::Job& job) {
    if (!g_slot_of) return;
    auto it = g_slot_of->find(key_of(job));
    if (it == g_slot_of->end()) return;
    if (it->second == kUnnamed) {
        g_unnamed.fetch_sub(1, std::memory_order_relaxed);
    } else {
        g_slots[it->second].length.store(0, std::memory_order_release);
        g_free->push_back(it->second);
    }
    g_slot_of->erase(it);
}

}  // namespace notify::worker::last_words
