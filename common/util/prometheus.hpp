// prometheus.hpp - metrics written in the Prometheus text exposition format
// (version 0.0.4), the one renderer of every daemon's figures.
//
// A family opens with its "# HELP" and "# TYPE" lines; its samples follow, one
// line each: NAME{LABEL="VALUE",...} NUMBER. Label values and help texts are
// escaped as the format asks (backslash, double quote in label values, line
// feed), so any name a user configured can be a label value. Integers are
// written exactly, other numbers in their shortest exact form, infinities as
// "+Inf" and "-Inf".
//
// Histogram keeps counts in fixed buckets of seconds (or any base unit) and is
// written as NAME_bucket{...,le="BOUND"} (cumulative, the last one le="+Inf"),
// NAME_sum and NAME_count. Observing a value is a short scan of the bounds and
// an increment, cheap enough for every delivery.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::util::prometheus {

// Upper bounds (seconds) for what takes milliseconds: a commit, an answer to a request.
inline constexpr std::array<double, 12> kFastBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1,    2.5};
// For a call over the network: a vendor's answer to an attempt.
inline constexpr std::array<double, 14> kRequestBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
// For what may wait on retries and schedules: from acceptance to sent.
inline constexpr std::array<double, 18> kDeliveryBuckets = {
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 14400, 86400};

class Histogram {
  public:
    // `bounds`: ascending upper bounds; they must outlive the histogram (one of
    // the arrays above).
    explicit Histogram(std::span<const double> bounds)
        : bounds_(bounds), counts_(bounds.size() + 1, 0) {}

    void observe(double value);

    std::span<const double> bounds() const { return bounds_; }
    // Per bucket, not cumulative; the last one counts what lies above every bound.
    const std::vector<std::uint64_t>& counts() const { return counts_; }
    std::uint64_t count() const { return count_; }
    double sum() const { return sum_; }

  private:
    std::span<const double> bounds_;
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    double sum_ = 0;
};

struct Label {
    std::string_view name;
    std::string_view value;
};
using Labels = std::initializer_list<Label>;

// The text of one exposition, written family by family.
class Text {
  public:
    // Opens a family; `type` is "counter", "gauge", "histogram" or "summary".
    void family(std::string_view name, std::string_view type, std::string_view help);

    void sample(std::string_view name, Labels labels, double value);
    template <std::integral T>
    void sample(std::string_view name, Labels labels, T value) {
        line(name, labels, nullptr, std::to_string(value));
    }
    // The _bucket, _sum and _count samples of `h` under `name` with `labels`.
    void histogram(std::string_view name, Labels labels, const Histogram& h);

    // Text written elsewhere (another daemon's exposition), taken as it is.
    void append(std::string_view exposition) { out_ += exposition; }
    const std::string& str() const { return out_; }

  private:
    void line(std::string_view name, Labels labels, const Label* extra, std::string_view value);
    std::string out_;
};

// A label value as it goes between the double quotes.
std::string escape_label_value(std::string_view value);
// A HELP text as it goes after the family's name.
std::string escape_help(std::string_view help);
// A sample's value: "+Inf", "-Inf", "NaN" or the shortest exact decimal form.
std::string format_value(double value);

// One process's exposition, and the value of the label that tells its
// samples apart from the others'.
struct Exposition {
    std::string source;
    std::string text;
};
// The expositions of several processes of a kind (routers sharing the
// deliveries) as one: each family once, its HELP and TYPE as the first to
// give it has them, then every process's samples of it, each with the label
// `label` = its source. Lines that are neither a comment nor a sample are
// left out.
std::string merge_expositions(const std::vector<Exposition>& parts, std::string_view label);

// One sample of an exposition, as read back.
struct Sample {
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;  // unescaped values
    double value = 0;

    // The value of label `name`, or "".
    std::string label(std::string_view name) const;
};
// The samples of an exposition in the text format (comments skipped); a line
// that is not a sample is skipped too, so a reader takes what it knows.
std::vector<Sample> read_samples(std::string_view text);
// The sum of every sample named `name` whose labels include `where` (one
// label name and value; an empty name matches every sample).
double sum_of(const std::vector<Sample>& samples, std::string_view name,
              std::string_view label = {}, std::string_view value = {});

}  // namespace notify::util::prometheus
