// test_histogram.cpp - log-linear histograms: buckets, quantiles, merge, packed form.
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

TEST_CASE("merges in any overlap, into itself, and sums give the histogram of all values") {
    std::mt19937_64 rnd(7);
    for (int round = 0; round < 500; ++round) {
        // Buckets before, between, after and on each other's.
        Histogram a, b, all;
        notify::util::HistogramSum sum;
        const int na = static_cast<int>(rnd() % 20), nb = static_cast<int>(rnd() % 20);
        for (int i = 0; i < na; ++i) {
            const auto v = static_cast<std::int64_t>(rnd() % 5000);
            a.add(v);
            all.add(v);
        }
        for (int i = 0; i < nb; ++i) {
            const auto v = static_cast<std::int64_t>(rnd() % 5000);
            b.add(v, 3);
            all.add(v, 3);
        }
        sum.add(a);
        sum.add(b);
        Histogram twice = a;
        a.merge(b);
        REQUIRE(a == all);
        CHECK(a.count() == all.count());
        Histogram summed;
        sum.take(summed);
        CHECK(summed == all);
        CHECK(sum.empty());
        twice.merge(twice);
        for (const auto& [bucket, n] : twice.buckets()) CHECK(n % 2 == 0);
    }
}

TEST_CASE("a histogram's packed form reads back, and anything else is refused") {
    Histogram h;
    for (int v : {0, 3, 3, 200, 70000, 70001}) h.add(v);
    std::string packed;
    h.pack(packed);
    Histogram back;
    notify::util::PackedReader in(packed);
    REQUIRE(back.unpack(in));
    CHECK(in.at_end());
    CHECK(back == h);
    CHECK(back.count() == 6);
    std::string empty;
    Histogram().pack(empty);
    notify::util::PackedReader empty_in(empty);
    CHECK(back.unpack(empty_in));
    CHECK(back.empty());
    // Cut short; a bucket twice (a step of 0); a count of 0; a bucket past the
    // last; more buckets than there are; counts that overflow together.
    const std::string bad[] = {packed.substr(0, packed.size() - 1),
                               std::string("\x02\x01\x01\x00\x01", 5),
                               std::string("\x01\x01\x00", 3),
                               std::string("\x01\xff\x7f\x01", 4),
                               std::string("\xff\x7f", 2),
                               std::string("\x02\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x01"
                                           "\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
                                           21)};
    for (const auto& b : bad) {
        notify::util::PackedReader r(b);
        Histogram x;
        x.add(5);
        CHECK_FALSE(x.unpack(r));
        CHECK(x.empty());
    }
}
