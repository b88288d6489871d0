// report_output.hpp - a report as JSON (GET /v1/reports, `notifyctl report
// --format json`) and as CSV (its rows: `--format csv`, the dashboard's
// download). The table for terminals is notifyctl's (cli/report_cmd.cpp).
//
// JSON: {"from", "until", "by": [...], "rows": [ROW...], "rows_total" (of the
//        whole range, when "rows" is a page of them), "total": ROW,
//        "channels": [{"channel", "sent", "share"}], "most_used_channel",
//        "failures": [{"provider", "status", "reason", "count"}],
//        "suppressions": [{"reason", "count"}]}
// ROW:  one member per dimension of "by" (times in local time with offset),
//       "counts": {STATUS: N...}, "size": SPREAD, "latency_ms": SPREAD and,
//       grouped by time or nothing, "peak_per_second": {"sent": {"count",
//       "at"}, "accepted": {...}}; SPREAD: {"count", "average", "p50", "p95", "p99"}.
// CSV:  a header, then one line per row: the dimensions, then "count" when
//       grouped by status or one column per status, the peaks per second of
//       sent and accepted (empty when not known per row), and size_avg,
//       size_p50, size_p95, size_p99, latency_avg_ms, latency_p50_ms,
//       latency_p95_ms, latency_p99_ms.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace notify::report {

// A report as JSON written as it is made (make() with this as its sink, then
// end()): members in order of name, one line without a newline.
class JsonReport : public RowSink {
  public:
    explicit JsonReport(std::ostream& out);
    // Appended to `body` (an HTTP response's), no copy made.
    explicit JsonReport(std::string& body);
    ~JsonReport() override;
    // Everything before the rows, and opens them.
    void begin(const Report& head) override;
    void row(const Row& row) override;
    // Closes the rows and writes the rest (suppressions, total, until).
    void end(const Report& report);

    class Writer;  // JSON text, buffered (report_output.cpp)

  private:
    std::unique_ptr<Writer> w_;
    std::vector<std::pair<std::string, int>> members_;  // of a row, in the order written
    std::vector<std::size_t> statuses_;                 // by name
    bool first_row_ = true;
};

// A report's rows as CSV, written as they are made: the header at begin().
class CsvReport : public RowSink {
  public:
    explicit CsvReport(std::ostream& out) : out_(out) {}
    void begin(const Report& head) override;
    void row(const Row& row) override;

  private:
    std::ostream& out_;
    const Report* head_ = nullptr;
    std::vector<std::string> line_;
};

// The report made and written to `out` as it is made: JSON (JsonReport,
// ended), or CSV with `csv`.
Expected<Report> make_written(store::RollupStore& rollups, const Request& request, bool csv,
                              std::ostream& out);

// A report made whole already, written the same ways.
void write_json(std::ostream& out, const Report& r);
void write_csv(std::ostream& out, const Report& r);

// The columns of a row after its dimensions, as the CSV names them, and a
// row's values in them ("" for unknown); the terminal table shows the same.
std::vector<std::string> figure_columns(const Report& r);
std::vector<std::string> figure_values(const Report& r, const Row& row);

}  // namespace notify::report
