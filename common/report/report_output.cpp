// report_output.cpp - reports as JSON and CSV; see report_output.hpp.
#include "report/report_output.hpp"

#include <algorithm>
#include <cstdio>

#include "store/csv.hpp"

namespace notify::report {

namespace {

using nlohmann::json;

bool by_status(const Report& r) {
    return std::find(r.by.begin(), r.by.end(), Dimension::status) != r.by.end();
}

std::string decimal(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

json spread_json(const Spread& s) {
    return {
        {"count", s.count}, {"average", s.average}, {"p50", s.p50}, {"p95", s.p95}, {"p99", s.p99}};
}

json peak_json(const store::Peak& p) {
    return {{"count", p.per_second}, {"at", p.at ? json(format_time(p.at)) : json(nullptr)}};
}

json row_json(const Report& r, const Row& row, bool with_key) {
    json j = json::object();
    if (with_key)
        for (std::size_t i = 0; i < r.by.size(); ++i) j[to_string(r.by[i])] = row.key[i];
    json counts = json::object();
    for (std::size_t i = 0; i < row.counts.size(); ++i)
        counts[store::report_statuses()[i]] = row.counts[i];
    j["counts"] = std::move(counts);
    if (row.peak_sent)
        j["peak_per_second"] = {{"sent", peak_json(*row.peak_sent)},
                                {"accepted", peak_json(*row.peak_accepted)}};
    j["size"] = spread_json(row.size);
    j["latency_ms"] = spread_json(row.latency);
    return j;
}

}  // namespace

json to_json(const Report& r) {
    json j;
    j["from"] = format_time(r.from);
    j["until"] = format_time(r.until);
    json by = json::array();
    for (Dimension d : r.by) by.push_back(to_string(d));
    j["by"] = by;
    json rows = json::array();
    for (const Row& row : r.rows) rows.push_back(row_json(r, row, true));
    j["rows"] = std::move(rows);
    j["total"] = row_json(r, r.total, false);
    json channels = json::array();
    for (const auto& c : r.channels)
        channels.push_back({{"channel", c.channel}, {"sent", c.sent}, {"share", c.share}});
    j["channels"] = std::move(channels);
    j["most_used_channel"] = r.channels.empty() ? json(nullptr) : json(r.channels.front().channel);
    json failures = json::array();
    for (const auto& f : r.failures)
        failures.push_back({{"provider", f.provider},
                            {"status", f.status},
                            {"reason", f.reason},
                            {"count", f.count}});
    j["failures"] = std::move(failures);
    json suppressions = json::array();
    for (const auto& s : r.suppressions)
        suppressions.push_back({{"reason", s.reason}, {"count", s.count}});
    j["suppressions"] = std::move(suppressions);
    return j;
}

std::vector<std::string> figure_columns(const Report& r) {
    std::vector<std::string> cols;
    if (by_status(r))
        cols.push_back("count");
    else
        cols = store::report_statuses();
    for (const char* c :
         {"peak_sent_per_second", "peak_accepted_per_second", "size_avg", "size_p50", "size_p95",
          "size_p99", "latency_avg_ms", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms"})
        cols.push_back(c);
    return cols;
}

std::vector<std::string> figure_values(const Report& r, const Row& row) {
    std::vector<std::string> v;
    if (by_status(r)) {
        std::int64_t n = 0;
        for (std::int64_t count : row.counts) n += count;
        v.push_back(std::to_string(n));
    } else {
        for (std::int64_t count : row.counts) v.push_back(std::to_string(count));
    }
    v.push_back(row.peak_sent ? std::to_string(row.peak_sent->per_second) : "");
    v.push_back(row.peak_accepted ? std::to_string(row.peak_accepted->per_second) : "");
    for (const Spread* s : {&row.size, &row.latency}) {
        if (s->count == 0) {
            v.insert(v.end(), 4, "");
            continue;
        }
        v.push_back(decimal(s->average));
        v.push_back(std::to_string(s->p50));
        v.push_back(std::to_string(s->p95));
        v.push_back(std::to_string(s->p99));
    }
    return v;
}

void write_csv(std::ostream& out, const Report& r) {
    std::vector<std::string> header;
    for (Dimension d : r.by) header.push_back(to_string(d));
    auto cols = figure_columns(r);
    header.insert(header.end(), cols.begin(), cols.end());
    store::write_csv_row(out, header);
    for (const Row& row : r.rows) {
        std::vector<std::string> line = row.key;
        auto values = figure_values(r, row);
        line.insert(line.end(), values.begin(), values.end());
        store::write_csv_row(out, line);
    }
}

}  // namespace notify::report
