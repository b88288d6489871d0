// rollup.hpp - what reports count, folded into rollups: per minute, hour and
// day, per status and one dimension (channel, provider, priority, template,
// module, category or group; suppressions by channel and failures and retries
// by provider also by reason), the
// count, the size of what was sent and the time from acceptance to sent (sums
// and histograms), and per status alone the same figures with the peak per
// second. Counts per dimension keep the rows that most reports read small
// whatever the traffic; for a report by two at once, each pair of dimensions
// has rows of its own ("template+group": a value of each, joined by '\x1f';
// no reason), as small as the two dimensions' values allow. Not every
// combination of all seven: for dimensions independent of each other that is
// about a row per delivery.
// Each bucket of each dimension is one row, its cells packed
// (store/rollup_bucket.hpp).
//
// A fold is one thing that happened at one time: a delivery accepted (at its
// acceptance), or an event of its log (sent, delivered, read, clicked, retry,
// failed, expired, suppressed, canceled). Folds are counted where they happen
// (RollupBatch), written by RollupStore, and read back by reports. Days begin
// at local midnight (the process's zone: report.timezone).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model.hpp"
#include "util/histogram.hpp"

namespace notify::store {

// The statuses reports count, in the order reports show them.
const std::vector<std::string>& report_statuses();
constexpr std::size_t kReportStatuses = 10;
bool is_report_status(std::string_view status);
// Where `status` stands in report_statuses(); its size for anything else.
std::size_t status_index(std::string_view status);

// What a fold is counted by, apart from its status and time.
struct RollupDims {
    std::string channel;
    std::string provider;  // of the attempt; "" before one
    Priority priority = Priority::medium;
    std::string template_name;
    std::string module;
    std::string category;
    std::string groups;  // the groups the notification was sent to, sorted, comma-separated
    std::string reason;  // why it failed, was retried or suppressed (short), else ""
};

// The groups named among a notification's recipients ("group:NAME", one
// recipient per line as the store keeps them), as RollupDims::groups.
std::string report_groups(std::string_view recipients);
// The class of a suppression's reason: unsubscribed, opted_out, duplicate,
// frequency_cap, no_address, no_user, else the reason cut short.
std::string suppression_reason(std::string_view detail);
// A failure's reason as a rollup keeps it: cut to kReasonBytes.
std::string failure_reason(std::string_view reason);
constexpr std::size_t kReasonBytes = 120;

// One thing counted. The views must outlive only the call to RollupBatch::add.
struct RollupFold {
    Millis at = 0;
    std::string_view status;
    std::string_view channel;
    std::string_view provider;
    Priority priority = Priority::medium;
    std::string_view template_name;
    std::string_view module;
    std::string_view category;
    std::string_view groups;
    std::string_view reason;
    std::int64_t size = -1;  // bytes sent (sent only), else -1
    Millis latency = -1;     // acceptance to sent (sent only), else -1
};

// A fold with a notification's dimensions (template, module, category,
// groups) as views into `notification`; the rest is the caller's to set.
RollupFold fold_of(const RollupDims& notification);

struct Figures {
    std::int64_t count = 0;
    std::int64_t size_sum = 0;
    util::Histogram size;
    std::int64_t latency_sum = 0;
    util::Histogram latency;
    void add(std::int64_t bytes, Millis ms);
    void merge(const Figures& o);
    void clear();
    bool operator==(const Figures& o) const;
};

// Figures of many cells added up, histograms densely (util::HistogramSum):
// cheaper than merging them pair by pair when many are added.
struct FiguresSum {
    std::int64_t count = 0, size_sum = 0, latency_sum = 0;
    util::HistogramSum size, latency;
    void add(const Figures& f);
    // The sum into `out` (its histograms' storage reused), leaving this one empty.
    void take(Figures& out);
};

// The most folds of one status in one second within a bucket, and that second.
struct Peak {
    std::int64_t per_second = 0;
    Millis at = 0;
    void merge(const Peak& o);
};

enum class Resolution : std::int64_t { minute = 60'000, hour = 3'600'000, day = 86'400'000 };
constexpr Resolution kResolutions[] = {Resolution::minute, Resolution::hour, Resolution::day};

// The start of the bucket that holds `at`, and the start of the next one.
Millis bucket_start(Resolution r, Millis at);
Millis bucket_end(Resolution r, Millis start);

// The dimensions rows are kept by, as rows name them.
const std::vector<std::string>& rollup_dimensions();
constexpr std::size_t kRollupDimensions = 7;
// The pairs of dimensions, as rows name them: "A+B", A before B in
// rollup_dimensions(); a value is A's and B's joined by kPairSeparator.
constexpr std::size_t kRollupPairs = kRollupDimensions * (kRollupDimensions - 1) / 2;
const std::vector<std::string>& rollup_pairs();
// Where the pair of dimensions a < b (rollup_dimensions() indexes) is in rollup_pairs().
std::size_t pair_index(std::size_t a, std::size_t b);
constexpr char kPairSeparator = '\x1f';

// Folds not written yet, by minute: hours and local days are added up from
// the minutes as the batch is written. The counts per second that peaks come
// from outlive clear(), so a second folded across two writes still has its
// whole count. They are kept for the hour before the latest second of each
// status: folds of one status come in time order (the log is written so),
// give or take a flush. So are the combinations of values a batch has seen,
// up to kCombinationsKept, so that the next write does not make them again.
class RollupBatch {
  public:
    void add(const RollupFold& f);
    bool empty() const { return series_.empty(); }
    std::size_t rows() const { return rows_.size(); }
    void clear();
    // Forgets the counts per second too (the rollups were rebuilt under it).
    void reset();

    // The batch's figures as packed rows (store/rollup_bucket.hpp): one per
    // resolution, dimension ("" for the series, by status alone) and bucket.
    using Sink = std::function<void(Resolution, const std::string& dimension, Millis bucket,
                                    std::string_view data)>;
    void each_bucket(const Sink& f) const;

    static constexpr std::size_t kCombinationsKept = 4096;

  private:
    struct Key {
        Millis bucket;
        std::uint32_t what;  // status, or a combination (an index in combinations_)
        bool operator==(const Key& o) const { return bucket == o.bucket && what == o.what; }
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            return std::hash<std::int64_t>()(k.bucket) * 31 + k.what;
        }
    };
    struct Seconds {
        std::map<Millis, std::int64_t> counts;  // second -> folds in it
        Millis latest = 0;
    };
    struct SeriesFigures {
        Figures figures;
        Peak peak;
        void merge(const SeriesFigures& o) {
            figures.merge(o.figures);
            peak.merge(o.peak);
        }
    };
    using Rows = std::unordered_map<Key, Figures, KeyHash>;
    using Series = std::unordered_map<Key, SeriesFigures, KeyHash>;  // `what` is the status index

    // A status with a value in each dimension and a reason, and the values of
    // each pair of dimensions joined, as strings_ ids.
    struct Combination {
        std::uint32_t status;
        std::array<std::uint32_t, kRollupDimensions> values;
        std::uint32_t reason;
        std::array<std::uint32_t, kRollupPairs> pairs;
    };
    std::uint32_t intern(std::string_view text);
    // The strings the rows use, by rank in byte order ("" first, rank 0):
    // cells then sort as buckets keep them by comparing numbers.
    struct Ranks {
        std::vector<std::uint32_t> of;  // strings_ id -> rank
        std::vector<std::uint32_t> by;  // rank -> strings_ id
    };
    Ranks ranks() const;
    void write_series(Resolution r, const Series& series, const Sink& f) const;
    void write_rows(Resolution r, const Rows& rows, const Ranks& ranks, const Sink& f) const;

    std::unordered_map<std::string, std::uint32_t> combination_ids_;  // key_ -> index
    std::vector<Combination> combinations_;
    std::vector<std::string> strings_{""};  // values and reasons folded, "" first
    std::unordered_map<std::string, std::uint32_t> string_ids_{{"", 0}};
    Rows rows_;                     // by minute
    Series series_;                 // by minute
    std::vector<Seconds> seconds_;  // by status index
    std::string key_;               // reused for each fold
};

}  // namespace notify::store
