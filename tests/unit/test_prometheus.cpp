// test_prometheus.cpp - the Prometheus text format: families, samples, escaping,
// numbers and histograms.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "util/prometheus.hpp"

using namespace notify::util::prometheus;

TEST_CASE("a family opens with HELP and TYPE and its samples follow, one a line") {
    Text t;
    t.family("notify_x_total", "counter", "Things counted.");
    t.sample("notify_x_total", {}, 3);
    t.sample("notify_x_total", {{"channel", "email"}, {"state", "sent"}}, std::uint64_t{7});
    t.family("notify_y", "gauge", "A level.");
    t.sample("notify_y", {}, -2);
    t.sample("notify_y", {{"k", "v"}}, 0.25);
    CHECK(t.str() ==
          "# HELP notify_x_total Things counted.\n"
          "# TYPE notify_x_total counter\n"
          "notify_x_total 3\n"
          "notify_x_total{channel=\"email\",state=\"sent\"} 7\n"
          "# HELP notify_y A level.\n"
          "# TYPE notify_y gauge\n"
          "notify_y -2\n"
          "notify_y{k=\"v\"} 0.25\n");
}

TEST_CASE("label values and help texts are escaped") {
    SECTION("label values: backslash, double quote and line feed") {
        CHECK(escape_label_value("plain-name_1") == "plain-name_1");
        CHECK(escape_label_value("a\\b") == "a\\\\b");
        CHECK(escape_label_value("say \"hi\"") == "say \\\"hi\\\"");
        CHECK(escape_label_value("two\nlines") == "two\\nlines");
        CHECK(escape_label_value("中文 ok") == "中文 ok");  // UTF-8 passes as it is
        Text t;
        t.sample("m", {{"worker", "w\"1\n"}}, 1);
        CHECK(t.str() == "m{worker=\"w\\\"1\\n\"} 1\n");
    }
    SECTION("help: backslash and line feed; a double quote stays") {
        CHECK(escape_help("a \"b\" \\ c\nd") == "a \"b\" \\\\ c\\nd");
        Text t;
        t.family("m", "gauge", "line one\nline two");
        CHECK(t.str() == "# HELP m line one\\nline two\n# TYPE m gauge\n");
    }
}

TEST_CASE("numbers: integers exactly, others in their shortest exact form") {
    CHECK(format_value(0) == "0");
    CHECK(format_value(1) == "1");
    CHECK(format_value(0.1) == "0.1");
    CHECK(format_value(0.0005) == "0.0005");
    CHECK(format_value(86400) == "86400");
    CHECK(format_value(-1.5) == "-1.5");
    CHECK(format_value(53.6875) == "53.6875");
    CHECK(format_value(1e-7) == "1e-07");
    CHECK(format_value(2e20) == "2e+20");
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    Text t;
    t.sample("big", {}, std::numeric_limits<std::uint64_t>::max());
    CHECK(t.str() == "big 18446744073709551615\n");
}

TEST_CASE("a histogram is written as cumulative buckets, +Inf, sum and count") {
    static constexpr double kBounds[] = {0.125, 1, 10};
    Histogram h{std::span<const double>(kBounds)};
    for (double v : {0.0625, 0.125, 0.5, 1.0, 2.0, 50.0}) h.observe(v);  // exact in binary
    CHECK(h.count() == 6);
    CHECK(h.sum() == 53.6875);
    // A value on a bound counts in that bound's bucket (le: less or equal).
    CHECK(h.counts() == std::vector<std::uint64_t>{2, 2, 1, 1});

    Text t;
    t.family("notify_t_seconds", "histogram", "Times.");
    t.histogram("notify_t_seconds", {{"provider", "p"}}, h);
    CHECK(t.str() ==
          "# HELP notify_t_seconds Times.\n"
          "# TYPE notify_t_seconds histogram\n"
          "notify_t_seconds_bucket{provider=\"p\",le=\"0.125\"} 2\n"
          "notify_t_seconds_bucket{provider=\"p\",le=\"1\"} 4\n"
          "notify_t_seconds_bucket{provider=\"p\",le=\"10\"} 5\n"
          "notify_t_seconds_bucket{provider=\"p\",le=\"+Inf\"} 6\n"
          "notify_t_seconds_sum{provider=\"p\"} 53.6875\n"
          "notify_t_seconds_count{provider=\"p\"} 6\n");

    SECTION("an empty one has every bucket at 0") {
        Histogram empty{kFastBuckets};
        Text e;
        e.histogram("x", {}, empty);
        CHECK(e.str().find("x_bucket{le=\"0.0005\"} 0\n") != std::string::npos);
        CHECK(e.str().find("x_bucket{le=\"+Inf\"} 0\n") != std::string::npos);
        CHECK(e.str().find("x_sum 0\nx_count 0\n") != std::string::npos);
    }
}

TEST_CASE("the standard bucket sets ascend") {
    auto ascending = [](std::span<const double> b) {
        for (std::size_t i = 1; i < b.size(); ++i)
            if (!(b[i - 1] < b[i])) return false;
        return true;
    };
    CHECK(ascending(kFastBuckets));
    CHECK(ascending(kRequestBuckets));
    CHECK(ascending(kDeliveryBuckets));
}

TEST_CASE("an exposition reads back sample by sample") {
    Text t;
    t.family("notify_deliveries_total", "counter", "Deliveries.");
    t.sample("notify_deliveries_total", {{"channel", "sms"}, {"state", "sent"}}, 7);
    t.sample("notify_deliveries_total", {{"channel", "mail"}, {"state", "sent"}}, 5);
    t.sample("notify_deliveries_total", {{"channel", "mail"}, {"state", "failed"}}, 2);
    t.sample("notify_provider_healthy", {{"provider", "a \"b\"\\\nc"}}, 1);
    t.sample("notify_up", {}, 0.5);
    t.sample("notify_inf", {{"le", "+Inf"}}, std::numeric_limits<double>::infinity());
    t.append("not a sample line\nnotify_bad{x=\"1\" 3\n");
    auto samples = read_samples(t.str());
    REQUIRE(samples.size() == 6);
    CHECK(samples[0].name == "notify_deliveries_total");
    CHECK(samples[0].label("channel") == "sms");
    CHECK(samples[0].label("nothing").empty());
    CHECK(samples[3].label("provider") == "a \"b\"\\\nc");
    CHECK(samples[4].value == 0.5);
    CHECK(samples[5].value == std::numeric_limits<double>::infinity());
    CHECK(sum_of(samples, "notify_deliveries_total") == 14);
    CHECK(sum_of(samples, "notify_deliveries_total", "state", "sent") == 12);
    CHECK(sum_of(samples, "notify_deliveries_total", "state", "read") == 0);
    CHECK(read_samples("").empty());
}

TEST_CASE("expositions of several routers merge by family, each sample labelled") {
    Text a;
    a.family("notify_x_total", "counter", "Things counted.");
    a.sample("notify_x_total", {}, 3);
    a.sample("notify_x_total", {{"state", "sent"}}, 7);
    static constexpr double kBounds[] = {0.5};
    Histogram h(kBounds);
    h.observe(0.25);
    a.family("notify_t_seconds", "histogram", "How long.");
    a.histogram("notify_t_seconds", {}, h);
    Text b;
    b.family("notify_x_total", "counter", "Things counted, as b says.");
    b.sample("notify_x_total", {{"state", "sent"}}, 2);
    b.family("notify_only_b", "gauge", "B's own.");
    b.sample("notify_only_b", {}, 1);
    b.family("notify_t_seconds", "histogram", "How long.");
    b.histogram("notify_t_seconds", {}, h);
    const std::string merged = merge_expositions(
        {{"router@a", a.str()}, {"router@\"b\"", b.str() + "not a sample\n"}}, "router");
    CHECK(merged ==
          "# HELP notify_x_total Things counted.\n"
          "# TYPE notify_x_total counter\n"
          "notify_x_total{router=\"router@a\"} 3\n"
          "notify_x_total{router=\"router@a\",state=\"sent\"} 7\n"
          "notify_x_total{router=\"router@\\\"b\\\"\",state=\"sent\"} 2\n"
          "# HELP notify_t_seconds How long.\n"
          "# TYPE notify_t_seconds histogram\n"
          "notify_t_seconds_bucket{router=\"router@a\",le=\"0.5\"} 1\n"
          "notify_t_seconds_bucket{router=\"router@a\",le=\"+Inf\"} 1\n"
          "notify_t_seconds_sum{router=\"router@a\"} 0.25\n"
          "notify_t_seconds_count{router=\"router@a\"} 1\n"
          "notify_t_seconds_bucket{router=\"router@\\\"b\\\"\",le=\"0.5\"} 1\n"
          "notify_t_seconds_bucket{router=\"router@\\\"b\\\"\",le=\"+Inf\"} 1\n"
          "notify_t_seconds_sum{router=\"router@\\\"b\\\"\"} 0.25\n"
          "notify_t_seconds_count{router=\"router@\\\"b\\\"\"} 1\n"
          "# HELP notify_only_b B's own.\n"
          "# TYPE notify_only_b gauge\n"
          "notify_only_b{router=\"router@\\\"b\\\"\"} 1\n");
    // What a reader makes of it: every sample, with its router.
    const auto samples = read_samples(merged);
    CHECK(sum_of(samples, "notify_x_total", "state", "sent") == 9);
    CHECK(sum_of(samples, "notify_x_total", "router", "router@a") == 10);
}
