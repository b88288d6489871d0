// test_speed.hpp - how much slower than an optimized build this test program runs.
//
// A unit test's timing bound (one that catches a pathology, not a benchmark) holds
// for the optimized build that tests/run makes. Under AddressSanitizer (tests/sanitize)
// the same code runs several times slower, so such a bound is multiplied by
// kSlowdown instead of being dropped.
#pragma once

namespace notify::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr double kSlowdown = 20;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr double kSlowdown = 20;
#else
inline constexpr double kSlowdown = 1;
#endif
#else
inline constexpr double kSlowdown = 1;
#endif

}  // namespace notify::test
