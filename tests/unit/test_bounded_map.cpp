#include <catch2/catch.hpp>

#include "util/bounded_map.hpp"

using notify::util::BoundedMap;

TEST_CASE("a bounded map forgets its oldest entry for each new one once full") {
    BoundedMap<int> m(3);
    m.put("a", 1);
    m.put("b", 2);
    m.put("c", 3);
    // Replacing a value keeps its place: "a" is still the oldest.
    CHECK(m.put("a", 10) == 10);
    CHECK(m.size() == 3);
    m.put("d", 4);
    CHECK(m.size() == 3);
    CHECK(m.find("a") == nullptr);
    REQUIRE(m.find("b"));
    CHECK(*m.find("b") == 2);
    m.put("e", 5);
    CHECK(m.find("b") == nullptr);
    CHECK(*m.find("c") == 3);
    CHECK(*m.find("d") == 4);
    CHECK(*m.find("e") == 5);
    // A key forgotten and put again is new: the oldest now goes.
    m.put("a", 1);
    CHECK(m.find("c") == nullptr);
    CHECK(m.size() == 3);
}
