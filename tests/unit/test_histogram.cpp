// test_histogram.cpp - log-linear histograms: buckets, quantiles, merge, text form.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "util/histogram.hpp"

using notify::util::Histogram;

TEST_CASE("every value falls in the bucket whose bounds hold it") {
    std::mt19937_64 rnd(3);
    for (int i = 0; i < 100000; ++i) {
        const auto v = static_cast<std::int64_t>(rnd() >> (1 + rnd() % 63));
        const int b = Histogram::bucket_of(v);
        REQUIRE(Histogram::bucket_low(b) <= v);
        REQUIRE(v <= Histogram::bucket_high(b));
    }
    for (std::int64_t v = 0; v < 16; ++v) CHECK(Histogram::bucket_of(v) == v);
    CHECK(Histogram::bucket_of(16) == 16);
    CHECK(Histogram::bucket_of(17) == 16);  // 16..17 share a bucket
    CHECK(Histogram::bucket_of(18) == 17);
    // The last bucket ends at the largest value, without overflowing.
    const std::int64_t top = std::numeric_limits<std::int64_t>::max();
    CHECK(Histogram::bucket_high(Histogram::bucket_of(top)) == top);
    Histogram h;
    h.add(top);
    CHECK(h.quantile(0.5) >= Histogram::bucket_low(Histogram::bucket_of(top)));
}

TEST_CASE("quantiles are within 6.25% of the exact value") {
    std::mt19937_64 rnd(5);
    std::lognormal_distribution<double> dist(6.0, 1.5);
    std::vector<std::int64_t> values;
    Histogram h;
    for (int i = 0; i < 50000; ++i) {
        auto v = static_cast<std::int64_t>(dist(rnd));
        values.push_back(v);
        h.add(v);
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.95, 0.99}) {
        auto rank = static_cast<std::size_t>(q * static_cast<double>(values.size()));
        const double exact = static_cast<double>(values[rank - 1]);
        CHECK(std::abs(static_cast<double>(h.quantile(q)) - exact) <= exact * 0.0625 + 1);
    }
    CHECK(Histogram().quantile(0.5) == 0);
}

TEST_CASE("merged histograms are the histogram of all their values") {
    Histogram a, b, all;
    for (int v = 0; v < 1000; v += 3) {
        a.add(v);
        all.add(v);
    }
    for (int v = 500; v < 90000; v += 7) {
        b.add(v);
        all.add(v);
    }
    a.merge(b);
    CHECK(a == all);
    CHECK(a.count() == all.count());
}

TEST_CASE("a histogram's text form reads back, and anything else is refused") {
    Histogram h;
    for (int v : {0, 3, 3, 200, 70000, 70001}) h.add(v);
    auto back = Histogram::decode(h.encode());
    REQUIRE(back);
    CHECK(*back == h);
    CHECK(back->count() == 6);
    CHECK(Histogram::decode("")->empty());
    for (const char* bad : {"x", "3", "3:", "3:0", "5:1 3:1", "3:1 ", " 3:1", "3:1  4:1", "99999:1",
                            "-1:2", "3:-1", "1:9223372036854775807 2:1"})
        CHECK_FALSE(Histogram::decode(bad));
}
