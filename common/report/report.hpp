// report.hpp - reports over the rollups (store/rollup.hpp): counts per status,
// the peak per second, the share of each channel, the size of what was sent
// and the time from acceptance to sent (average, p50, p95, p99), the top
// failure reasons per provider and the suppressions by reason, over a range of
// time and grouped by up to one time unit, status and two dimensions (two at
// once read the rows of their pair, store/rollup.hpp).
//
// A report covers whole minutes: from the minute of `since` to the end of the
// minute before `until` (or of `until`'s own minute when it is not on a
// minute). It reads day rows for whole local days, hour rows for whole hours
// and minute rows for the rest, never the deliveries. `notifyctl report` and
// GET /v1/reports take the same parameters and give the same JSON.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/rollup.hpp"
#include "store/rollup_store.hpp"
#include "util/error.hpp"

namespace notify::report {

enum class Dimension {
    minute,
    hour,
    day,
    channel,
    provider,
    priority,
    status,
    template_name,
    module,
    category,
    group,
};

const char* to_string(Dimension d);
// "did you mean ...?" for an unknown one (invalid, "unknown_dimension").
Expected<Dimension> parse_dimension(std::string_view text);
bool is_time(Dimension d);

struct Request {
    Millis since = 0;
    Millis until = 0;
    std::vector<Dimension> by;
    // A page of the rows: the first `offset` left out, then at most `limit`
    // (0: every row). The total and what comes before the rows are the whole
    // range's either way; rows left out cost no percentiles, and once the page
    // is full the rest are only counted.
    std::int64_t offset = 0;
    std::int64_t limit = 0;
    static constexpr std::int64_t kMaxLimit = 1'000'000;
    static constexpr std::int64_t kMaxOffset = 1'000'000'000;
};

// Checks a request: since before until, at most one time unit and two other
// dimensions besides status, no dimension twice.
Status check(const Request& r);

// A request from what a user writes: times as RFC 3339, "now-7d", a local
// "YYYY-MM-DD" (its midnight) or "YYYY-MM-DD HH:MM"; "" for `since` is today's
// local midnight and for `until` now; each `by` a dimension or several
// separated by commas; `offset` and `limit` whole numbers ("" for none).
// Errors name the flag or parameter in their message and field, as `names`
// calls them: query_names() or flag_names().
struct RequestText {
    std::string since;
    std::string until;
    std::vector<std::string> by;
    std::string offset;
    std::string limit;
};
struct RequestNames {
    std::string since, until, by, offset, limit;
};
const RequestNames& query_names();  // since, until, by, offset, limit (GET /v1/reports)
const RequestNames& flag_names();   // --since, ... (notifyctl report)
Expected<Request> parse_request(const RequestText& text, Millis now, const RequestNames& names);

// Figures of what was sent: size in bytes, latency from acceptance in ms.
struct Spread {
    std::int64_t count = 0;
    double average = 0;
    std::int64_t p50 = 0, p95 = 0, p99 = 0;
};

struct Row {
    // One value per dimension of the request, as stored: times in ms, priority
    // as its name, "" where a delivery had none (no group, no template).
    std::vector<std::string> key;
    Millis time = -1;  // the bucket's start, when grouped by time
    // By status, in the order of store::report_statuses().
    std::array<std::int64_t, store::kReportStatuses> counts{};
    std::optional<store::Peak> peak_sent;  // when grouped by time (or by nothing)
    std::optional<store::Peak> peak_accepted;
    Spread size;
    Spread latency;
    // The count of `status` (0 for one reports do not count).
    std::int64_t count(std::string_view status) const;
};

struct ChannelShare {
    std::string channel;
    std::int64_t sent = 0;
    double share = 0;  // of everything sent, 0..1
};

struct Reason {
    std::string provider;  // "" for suppressions
    std::string status;    // failed, retry or suppressed
    std::string reason;
    std::int64_t count = 0;
};

struct Report {
    Millis from = 0;
    Millis until = 0;
    std::vector<Dimension> by;
    std::vector<Row> rows;
    std::int64_t rows_total = 0;  // of the whole range, when the rows are a page of them
    Row total;
    std::vector<ChannelShare> channels;  // most sent first
    std::vector<Reason> failures;        // per provider, most first, at most kTopReasons each
    std::vector<Reason> suppressions;    // most first
    static constexpr std::size_t kTopReasons = 10;
};

// Where a report's rows go as they are made, time groups in time order (a
// month by minute and a dimension is a quarter of a million rows; none need
// be held).
class RowSink {
  public:
    virtual ~RowSink() = default;
    // The report but its rows and total (range, dimensions, channels,
    // failures, suppressions), before the first row.
    virtual void begin(const Report& head) = 0;
    // A row, valid during the call only.
    virtual void row(const Row& row) = 0;
};

// Reads the report from the rollups of the current generation, each row
// handed to `sink` as it is made: the report returned has no rows. An error
// after begin() may come after some rows.
Expected<Report> make(store::RollupStore& rollups, const Request& request, RowSink& sink);
// The same with the rows kept in the report.
Expected<Report> make(store::RollupStore& rollups, const Request& request);
// The report of a store that holds nothing yet.
Report empty(const Request& request);

// A time as reports show it: local time with its offset, "2026-12-01T09:00:00+08:00".
std::string format_time(Millis t);

}  // namespace notify::report
