// test_repeated_failure.cpp - a failure repeated hundreds of times a second is
// logged once, then with a count at most once per period, and once when it ends;
// a caller writing its own line gets the count alone (due).
#include <catch2/catch.hpp>

#include "util/repeated_failure.hpp"

using notify::util::RepeatedFailure;

TEST_CASE("a repeated failure is told once, then counted") {
    RepeatedFailure f("store write failed", 10'000);
    CHECK_FALSE(f.failing());
    CHECK_FALSE(f.recovered(0));

    auto first = f.failed("disk full", 1'000);
    REQUIRE(first);
    CHECK(*first == "store write failed: disk full");
    CHECK(f.failing());

    SECTION("200 more within the period log nothing; the next one after it logs the count") {
        int lines = 0;
        for (int i = 1; i <= 199; ++i)
            if (f.failed("disk full", 1'000 + i * 5)) ++lines;
        CHECK(lines == 0);
        auto counted = f.failed("disk full", 11'000);
        REQUIRE(counted);
        CHECK(*counted == "store write failed (x200 in the last 10s): disk full");
        CHECK_FALSE(f.failed("disk full", 11'005));
    }
    SECTION("a new reason is told at once") {
        auto other = f.failed("file moved", 1'100);
        REQUIRE(other);
        CHECK(*other == "store write failed: file moved");
    }
    SECTION("the end is told once, with the total") {
        f.failed("disk full", 2'000);
        auto back = f.recovered(4'000);
        REQUIRE(back);
        CHECK(*back == "store write failed 2 times in 3s; it works again");
        CHECK_FALSE(f.failing());
        CHECK_FALSE(f.recovered(5'000));
        auto again = f.failed("disk full", 6'000);
        REQUIRE(again);
        CHECK(*again == "store write failed: disk full");
    }
}

TEST_CASE("an event counted for the caller's own line is due at most once a period") {
    RepeatedFailure refused(1'000);
    CHECK(refused.due(5'000) == 1);  // the first at once
    long counted = 0;
    for (int i = 1; i <= 99; ++i) counted += refused.due(5'000 + i * 5);
    CHECK(counted == 0);
    CHECK(refused.due(6'000) == 100);  // the 99 held back and this one
    CHECK(refused.due(6'001) == 0);
    CHECK(refused.due(7'500) == 2);
    CHECK_FALSE(refused.failing());  // due() is not a failure of an action
}
