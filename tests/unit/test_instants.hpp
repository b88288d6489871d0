// test_instants.hpp - instants and zones as tests write them: at("2026-03-08T01:00:00-05:00")
// and zone("America/New_York"), each failing the test when it cannot be read.
#pragma once

#include <catch2/catch.hpp>

#include "schedule/zone.hpp"
#include "util/time.hpp"

namespace notify::testing {

inline util::Millis at(const char* rfc3339) {
    auto t = util::parse_time(rfc3339, 0);
    REQUIRE(t);
    return *t;
}

inline schedule::Zone zone(const char* name) {
    auto z = schedule::Zone::named(name);
    REQUIRE(z);
    return *z;
}

}  // namespace notify::testing
