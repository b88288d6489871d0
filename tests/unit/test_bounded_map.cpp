#include <catch2/catch.hpp>

#include "util/bounded_map.hpp"

using notify::util::BoundedMap;

namespace {
// The entry for `key`, or -1.
int at(BoundedMap<int>& m, const std::string& key) {
    const int* v = m.find(key);
    return v ? *v : -1;
}
}  // namespace

TEST_CASE("a bounded map forgets its oldest entry for each new one once full") {
    BoundedMap<int> m(3);
    m.put("a", 1);
    m.put("b", 2);
    m.put("c", 3);
    // Replacing a value keeps its place: "a" is still the oldest.
    CHECK(m.put("a", 10) == 10);
    CHECK(at(m, "a") == 10);
    CHECK(m.size() == 3);
    m.put("d", 4);
    CHECK(m.size() == 3);
    CHECK_FALSE(m.contains("a"));
    CHECK(at(m, "b") == 2);
    m.put("e", 5);
    CHECK_FALSE(m.contains("b"));
    CHECK(at(m, "c") == 3);
    CHECK(at(m, "d") == 4);
    CHECK(at(m, "e") == 5);
    // A key forgotten and put again is new: the oldest now goes.
    m.put("a", 1);
    CHECK_FALSE(m.contains("c"));
    CHECK(m.size() == 3);
    // Many more than it holds: only the newest three are left.
    for (int i = 0; i < 10000; ++i) m.put("k" + std::to_string(i), i);
    CHECK(m.size() == 3);
    CHECK(at(m, "k9997") == 9997);
    CHECK(at(m, "k9999") == 9999);
    CHECK_FALSE(m.contains("k9996"));
}

TEST_CASE("a bounded map asked to hold nothing holds the latest entry") {
    BoundedMap<int> m(0);
    m.put("a", 1);
    CHECK(at(m, "a") == 1);
    m.put("b", 2);
    CHECK(m.size() == 1);
    CHECK_FALSE(m.contains("a"));
    CHECK(at(m, "b") == 2);
}
