// report_output.cpp - reports as JSON and CSV; see report_output.hpp.
#include "report/report_output.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "store/csv.hpp"
#include "util/json_writer.hpp"

namespace notify::report {

namespace {

bool by_status(const Report& r) {
    return std::find(r.by.begin(), r.by.end(), Dimension::status) != r.by.end();
}

std::string decimal(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

}  // namespace

// JSON text written as it goes, not built as a document first: a month by
// minute and a dimension is a quarter of a million rows. Members come in the
// order nlohmann::json's objects keep (by name), values as it writes them.
class JsonReport::Writer {
  public:
    explicit Writer(std::ostream& out) : out_(&out), buf_(own_) {}
    // Straight into `body`, no copy made.
    explicit Writer(std::string& body) : buf_(body) {}
    // Text as nlohmann::json writes it (UTF-8 kept, what is not UTF-8 replaced).
    void text(std::string_view s) { util::append_json_string(buf_, s); }
    void number(std::int64_t n) {
        char digits[24];
        buf_.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
    }
    // A number as nlohmann::json writes it, with the routine its dump() uses.
    void number(double d) {
        if (!std::isfinite(d)) {
            buf_ += "null";
            return;
        }
        char digits[64];
        buf_.append(digits, nlohmann::detail::to_chars(digits, digits + sizeof digits, d));
    }
    void raw(std::string_view s) { buf_ += s; }
    void name(std::string_view n) {
        text(n);
        buf_ += ':';
    }
    // Writes what is buffered to the stream when it is large.
    void flush(bool all = false) {
        if (out_ && (all || buf_.size() >= (1u << 16))) {
            out_->write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
            buf_.clear();
        }
    }

  private:
    std::ostream* out_ = nullptr;
    std::string own_;
    std::string& buf_;
};

namespace {

using JsonWriter = JsonReport::Writer;

void write_spread(JsonWriter& w, const Spread& s) {
    w.raw("{\"average\":");
    w.number(s.average);
    w.raw(",\"count\":");
    w.number(s.count);
    w.raw(",\"p50\":");
    w.number(s.p50);
    w.raw(",\"p95\":");
    w.number(s.p95);
    w.raw(",\"p99\":");
    w.number(s.p99);
    w.raw("}");
}

void write_peak(JsonWriter& w, const store::Peak& p) {
    w.raw("{\"at\":");
    if (p.at)
        w.text(format_time(p.at));
    else
        w.raw("null");
    w.raw(",\"count\":");
    w.number(p.per_second);
    w.raw("}");
}

// The members of a row in the order they are written, each name as written
// ("name":), with a dimension's index or one of these.
enum : int { kCounts = -1, kLatency = -2, kPeak = -3, kSize = -4 };

std::vector<std::pair<std::string, int>> row_members(const Report& r, bool with_key) {
    std::vector<std::pair<std::string, int>> m = {
        {"counts", kCounts}, {"latency_ms", kLatency}, {"peak_per_second", kPeak}, {"size", kSize}};
    if (with_key)
        for (std::size_t i = 0; i < r.by.size(); ++i)
            m.emplace_back(to_string(r.by[i]), static_cast<int>(i));
    std::sort(m.begin(), m.end());
    for (auto& [name, what] : m) name = "\"" + name + "\":";  // plain ASCII names
    return m;
}

// Each status's name as a member name, written: "sent":.
const std::vector<std::string>& status_members() {
    static const std::vector<std::string> kMembers = [] {
        std::vector<std::string> m;
        for (const auto& name : store::report_statuses()) m.push_back("\"" + name + "\":");
        return m;
    }();
    return kMembers;
}

// The statuses by name, as indexes in store::report_statuses().
std::vector<std::size_t> statuses_by_name() {
    const auto& names = store::report_statuses();
    std::vector<std::size_t> order(names.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });
    return order;
}

void write_row(JsonWriter& w, const Row& row,
               const std::vector<std::pair<std::string, int>>& members,
               const std::vector<std::size_t>& statuses) {
    w.raw("{");
    bool first = true;
    for (const auto& [member, what] : members) {
        if (what == kPeak && !row.peak_sent) continue;
        if (!first) w.raw(",");
        first = false;
        w.raw(member);
        switch (what) {
            case kCounts: {
                w.raw("{");
                for (std::size_t i = 0; i < statuses.size(); ++i) {
                    if (i) w.raw(",");
                    w.raw(status_members()[statuses[i]]);
                    w.number(row.counts[statuses[i]]);
                }
                w.raw("}");
                break;
            }
            case kLatency:
                write_spread(w, row.latency);
                break;
            case kSize:
                write_spread(w, row.size);
                break;
            case kPeak:
                w.raw("{\"accepted\":");
                write_peak(w, *row.peak_accepted);
                w.raw(",\"sent\":");
                write_peak(w, *row.peak_sent);
                w.raw("}");
                break;
            default:
                w.text(row.key[static_cast<std::size_t>(what)]);
        }
    }
    w.raw("}");
}

// [ITEM,...], each written by `each`.
template <typename Items, typename Each>
void write_array(JsonWriter& w, const Items& items, const Each& each) {
    w.raw("[");
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) w.raw(",");
        each(items[i]);
    }
    w.raw("]");
}

}  // namespace

JsonReport::JsonReport(std::ostream& out)
    : w_(std::make_unique<Writer>(out)), statuses_(statuses_by_name()) {}

JsonReport::JsonReport(std::string& body)
    : w_(std::make_unique<Writer>(body)), statuses_(statuses_by_name()) {}

JsonReport::~JsonReport() = default;

void JsonReport::begin(const Report& r) {
    JsonWriter& w = *w_;
    w.raw("{\"by\":");
    write_array(w, r.by, [&](Dimension d) { w.text(to_string(d)); });
    w.raw(",\"channels\":");
    write_array(w, r.channels, [&](const ChannelShare& c) {
        w.raw("{\"channel\":");
        w.text(c.channel);
        w.raw(",\"sent\":");
        w.number(c.sent);
        w.raw(",\"share\":");
        w.number(c.share);
        w.raw("}");
    });
    w.raw(",\"failures\":");
    write_array(w, r.failures, [&](const Reason& f) {
        w.raw("{\"count\":");
        w.number(f.count);
        w.raw(",\"provider\":");
        w.text(f.provider);
        w.raw(",\"reason\":");
        w.text(f.reason);
        w.raw(",\"status\":");
        w.text(f.status);
        w.raw("}");
    });
    w.raw(",\"from\":");
    w.text(format_time(r.from));
    w.raw(",\"most_used_channel\":");
    if (r.channels.empty())
        w.raw("null");
    else
        w.text(r.channels.front().channel);
    w.raw(",\"rows\":[");
    members_ = row_members(r, true);
    first_row_ = true;
    w.flush();
}

void JsonReport::row(const Row& row) {
    if (!first_row_) w_->raw(",");
    first_row_ = false;
    write_row(*w_, row, members_, statuses_);
    w_->flush();
}

void JsonReport::end(const Report& r) {
    JsonWriter& w = *w_;
    w.raw("],\"rows_total\":");
    w.number(r.rows_total);
    w.raw(",\"suppressions\":");
    write_array(w, r.suppressions, [&](const Reason& s) {
        w.raw("{\"count\":");
        w.number(s.count);
        w.raw(",\"reason\":");
        w.text(s.reason);
        w.raw("}");
    });
    w.raw(",\"total\":");
    write_row(w, r.total, row_members(r, false), statuses_);
    w.raw(",\"until\":");
    w.text(format_time(r.until));
    w.raw("}");
    w.flush(true);
}

Expected<Report> make_written(store::RollupStore& rollups, const Request& request, bool csv,
                              std::ostream& out) {
    if (csv) {
        CsvReport rows(out);
        return make(rollups, request, rows);
    }
    JsonReport json(out);
    auto whole = make(rollups, request, json);
    if (whole) json.end(*whole);
    return whole;
}

void write_json(std::ostream& out, const Report& r) {
    JsonReport json(out);
    json.begin(r);
    for (const Row& row : r.rows) json.row(row);
    json.end(r);
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

void CsvReport::begin(const Report& head) {
    head_ = &head;
    std::vector<std::string> header;
    for (Dimension d : head.by) header.push_back(to_string(d));
    auto cols = figure_columns(head);
    header.insert(header.end(), cols.begin(), cols.end());
    store::write_csv_row(out_, header);
}

void CsvReport::row(const Row& row) {
    line_.assign(row.key.begin(), row.key.end());
    auto values = figure_values(*head_, row);
    line_.insert(line_.end(), values.begin(), values.end());
    store::write_csv_row(out_, line_);
}

void write_csv(std::ostream& out, const Report& r) {
    CsvReport csv(out);
    csv.begin(r);
    for (const Row& row : r.rows) csv.row(row);
}

}  // namespace notify::report
