// clock.hpp - the benchmark's one time base: a monotonic clock in microseconds.
// Every timestamp the benchmark compares (a request's scheduled time, its reply,
// a delivery's arrival at the receiver) comes from here, so they share an origin
// even across the client and receiver threads.
#pragma once

#include <chrono>
#include <cstdint>

namespace notify::bench {

using Micros = std::int64_t;

inline Micros now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The wall clock minus this one, for times recorded elsewhere (the store's
// events are stamped with the wall clock, in ms).
inline Micros wall_minus_monotonic_us() {
    const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    return wall - now_us();
}

inline double seconds_between(Micros from, Micros to) {
    return static_cast<double>(to - from) / 1e6;
}

}  // namespace notify::bench
