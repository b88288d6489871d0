// report_output.hpp - a report as JSON (GET /v1/reports, `notifyctl report
// --format json`) and as CSV (its rows: `--format csv`, the dashboard's
// download). The table for terminals is notifyctl's (cli/report_cmd.cpp).
//
// JSON: {"from", "until", "by": [...], "rows": [ROW...], "total": ROW,
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

#include <ostream>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace notify::report {

// Written as it goes (a month by minute and a dimension is a quarter of a
// million rows), members in order of name, one line without a newline.
void write_json(std::ostream& out, const Report& r);
void write_csv(std::ostream& out, const Report& r);

// The columns of a row after its dimensions, as the CSV names them, and a
// row's values in them ("" for unknown); the terminal table shows the same.
std::vector<std::string> figure_columns(const Report& r);
std::vector<std::string> figure_values(const Report& r, const Row& row);

}  // namespace notify::report
