#include "util/id.hpp"

#include <algorithm>
#include <mutex>
#include <random>

namespace notify::util {

namespace {
const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

struct UlidState {
    std::mutex mu;
    std::mt19937_64 rng{std::random_device{}()};
    Millis last = -1;
    std::uint64_t hi = 0;  // upper 16 of the 80 random bits
    std::uint64_t lo = 0;  // lower 64
};

UlidState& state() {
    static UlidState s;
    return s;
}
}  // namespace

std::string new_ulid() {
    return new_ulid(now_ms());
}

std::string new_ulid(Millis at) {
    auto& s = state();
    std::uint64_t hi, lo;
    {
        std::lock_guard lock(s.mu);
        if (at <= s.last) {
            // Same (or earlier) millisecond: increment the random part so ids stay ordered.
            at = s.last;
            if (++s.lo == 0) ++s.hi;
        } else {
            s.last = at;
            s.hi = s.rng() & 0xFFFF;
            s.lo = s.rng() & ~(std::uint64_t{1} << 63);  // leave room to increment
        }
        hi = s.hi;
        lo = s.lo;
    }
    char out[26];
    const std::string time = ulid_prefix(at);
    std::copy(time.begin(), time.end(), out);
    // 80 random bits -> 16 characters, most significant first.
    for (int i = 25; i >= 10; --i) {
        out[i] = kAlphabet[lo & 31];
        lo = (lo >> 5) | ((hi & 31) << 59);
        hi >>= 5;
    }
    return std::string(out, 26);
}

Millis ulid_time(const std::string& id) {
    if (id.size() < 26) return -1;
    Millis t = 0;
    for (int i = 0; i < 10; ++i) {
        char c = id[static_cast<size_t>(i)];
        int v = -1;
        for (int k = 0; k < 32; ++k)
            if (kAlphabet[k] == c) v = k;
        if (v < 0) return -1;
        t = (t << 5) | v;
    }
    return t;
}

std::string ulid_prefix(Millis at) {
    std::string out(10, '0');
    std::uint64_t t = at > 0 ? static_cast<std::uint64_t>(at) : 0;
    for (int i = 9; i >= 0; --i) {
        out[i] = kAlphabet[t & 31];
        t >>= 5;
    }
    return out;
}

}  // namespace notify::util
