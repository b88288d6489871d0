// report.cpp - reports over the rollups; see report.hpp.
#include "report/report.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <tuple>
#include <unordered_map>

#include "store/rollup_bucket.hpp"

#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::report {

namespace {

struct Name {
    Dimension d;
    const char* name;
};
constexpr Name kNames[] = {
    {Dimension::minute, "minute"},     {Dimension::hour, "hour"},
    {Dimension::day, "day"},           {Dimension::channel, "channel"},
    {Dimension::provider, "provider"}, {Dimension::priority, "priority"},
    {Dimension::status, "status"},     {Dimension::template_name, "template"},
    {Dimension::module, "module"},     {Dimension::category, "category"},
    {Dimension::group, "group"},
};

constexpr Millis kMinute = 60'000;

// A run of buckets of one resolution: [from, to).
struct Piece {
    store::Resolution resolution;
    Millis from;
    Millis to;
};

// [from, to) in the largest buckets that fit, none larger than `largest`.
std::vector<Piece> plan(Millis from, Millis to, store::Resolution largest) {
    using store::Resolution;
    std::vector<Piece> pieces;
    auto add = [&](Resolution r, Millis a, Millis b) {
        if (!pieces.empty() && pieces.back().resolution == r && pieces.back().to == a)
            pieces.back().to = b;
        else
            pieces.push_back({r, a, b});
    };
    // The local day that holds c.
    Millis day_start = 0, day_end = std::numeric_limits<Millis>::min();
    for (Millis c = from; c < to;) {
        if (c < day_start || c >= day_end) {
            day_start = store::bucket_start(Resolution::day, c);
            day_end = store::bucket_end(Resolution::day, day_start);
        }
        if (largest == Resolution::day && day_start == c && day_end <= to) {
            add(Resolution::day, c, day_end);
            c = day_end;
            continue;
        }
        // An hour row, unless a local day begins inside it (zones 30 or 45
        // minutes off the hour): then its minutes, each in its own day.
        if (largest != Resolution::minute && c % 3'600'000 == 0 && c + 3'600'000 <= to &&
            (largest != Resolution::day || c + 3'600'000 <= day_end)) {
            add(Resolution::hour, c, c + 3'600'000);
            c += 3'600'000;
            continue;
        }
        add(Resolution::minute, c, c + kMinute);
        c += kMinute;
    }
    return pieces;
}

store::Resolution largest_for(const std::vector<Dimension>& by) {
    for (Dimension d : by) {
        if (d == Dimension::minute) return store::Resolution::minute;
        if (d == Dimension::hour) return store::Resolution::hour;
    }
    return store::Resolution::day;
}

// The start of the time group (minute, hour or local day) that holds `t`.
Millis time_group(Dimension d, Millis t) {
    switch (d) {
        case Dimension::minute:
            return store::bucket_start(store::Resolution::minute, t);
        case Dimension::hour:
            return store::bucket_start(store::Resolution::hour, t);
        default:
            return store::bucket_start(store::Resolution::day, t);
    }
}

const std::size_t kSent = store::status_index("sent");
const std::size_t kAccepted = store::status_index("accepted");

// What one group gathers while cells are read: counts per status, the figures
// of what was sent, and, from the series, the peaks.
struct Gathered {
    std::array<std::int64_t, store::kReportStatuses> counts{};
    store::Figures sent;
    store::Peak peak_sent, peak_accepted;
    bool peaks = false;
    void peak(const store::Cell& c) {
        if (c.status == kSent) peak_sent.merge(c.peak);
        if (c.status == kAccepted) peak_accepted.merge(c.peak);
    }
    // The cell's count and peak; its figures are the caller's to add.
    void count(const store::Cell& c) {
        counts[c.status] += c.figures.count;
        peak(c);
    }
    // Takes the cell's histograms when it has none of its own yet.
    void add(store::Cell& c) {
        count(c);
        if (c.status != kSent) return;
        if (sent.count == 0) {
            std::swap(sent, c.figures);
            c.figures.count = 0;
        } else {
            sent.merge(c.figures);
        }
    }
};

Spread spread_of(std::int64_t sum, const util::Histogram& h) {
    Spread s;
    s.count = h.count();
    if (s.count == 0) return s;
    s.average = static_cast<double>(sum) / static_cast<double>(s.count);
    static constexpr double kAt[] = {0.50, 0.95, 0.99};
    std::int64_t v[3];
    h.quantiles(kAt, v);
    s.p50 = v[0];
    s.p95 = v[1];
    s.p99 = v[2];
    return s;
}

// The total: every cell read, the sent figures added up densely.
struct Total : Gathered {
    store::FiguresSum sent_sum;
    void add(const store::Cell& c) {
        count(c);
        if (c.status == kSent) sent_sum.add(c.figures);
    }
    const Gathered& summed() {
        sent_sum.take(sent);
        return *this;
    }
};

// A row's figures from what its group gathered (its key is the caller's).
void fill_row(const Gathered& g, Row& row) {
    row.counts = g.counts;
    row.size = spread_of(g.sent.size_sum, g.sent.size);
    row.latency = spread_of(g.sent.latency_sum, g.sent.latency);
    row.peak_sent.reset();
    row.peak_accepted.reset();
    if (g.peaks) {
        row.peak_sent = g.peak_sent;
        row.peak_accepted = g.peak_accepted;
    }
}

Row row_of(const Gathered& g) {
    Row row;
    fill_row(g, row);
    return row;
}

// Keeps the rows in the report.
class KeptRows : public RowSink {
  public:
    explicit KeptRows(std::vector<Row>& rows) : rows_(rows) {}
    void begin(const Report&) override {}
    void row(const Row& row) override { rows_.push_back(row); }

  private:
    std::vector<Row>& rows_;
};

// The groups of a report: one per time group, value and status asked for
// (0, "" and 0 for what is not). Cells come in time order, so a time group is
// whole when the next begins: it is handed to `done` then (and by finish() at
// the end), and its storage serves the next.
class Groups {
  public:
    struct Group {
        std::uint32_t value;  // an index in values()
        std::uint32_t status;
        Gathered gathered;
    };
    using Done = std::function<void(Millis time, const std::vector<Group>& groups)>;
    explicit Groups(Done done) : done_(std::move(done)) {}

    Gathered& at(Millis time, std::string_view value, std::size_t status) {
        if (time != time_) {
            finish();
            time_ = time;
        }
        const std::size_t slot = id_of(value) * kSlotsPerValue + status;
        if (slot_[slot] < 0) {
            slot_[slot] = static_cast<std::int32_t>(current_.size());
            current_.push_back(Group{static_cast<std::uint32_t>(slot / kSlotsPerValue),
                                     static_cast<std::uint32_t>(status),
                                     spare_.empty() ? Gathered{} : take()});
        }
        return current_[static_cast<std::size_t>(slot_[slot])].gathered;
    }
    void finish() {
        if (current_.empty()) return;
        done_(time_, current_);
        for (auto& g : current_) {
            slot_[g.value * kSlotsPerValue + g.status] = -1;
            spare_.push_back(std::move(g.gathered));
        }
        current_.clear();
    }
    const std::string& value(std::uint32_t id) const { return values_[id]; }

  private:
    static constexpr std::size_t kSlotsPerValue = store::kReportStatuses;
    std::uint32_t id_of(std::string_view value) {
        if (has_last_ && values_[last_id_] == value) return last_id_;
        probe_.assign(value);
        auto [it, added] = ids_.try_emplace(probe_, static_cast<std::uint32_t>(values_.size()));
        if (added) {
            values_.push_back(probe_);
            slot_.resize(values_.size() * kSlotsPerValue, -1);
        }
        has_last_ = true;
        last_id_ = it->second;
        return it->second;
    }
    // A used group's storage, emptied (its histograms keep their room).
    Gathered take() {
        Gathered g = std::move(spare_.back());
        spare_.pop_back();
        g.counts.fill(0);
        g.sent.count = g.sent.size_sum = g.sent.latency_sum = 0;
        g.sent.size.clear();
        g.sent.latency.clear();
        g.peak_sent = g.peak_accepted = store::Peak{};
        g.peaks = false;
        return g;
    }

    Done done_;
    Millis time_ = std::numeric_limits<Millis>::min();
    std::vector<Group> current_;
    std::vector<Gathered> spare_;
    std::vector<std::int32_t> slot_;  // value id and status -> index in current_, or -1
    std::vector<std::string> values_;
    std::unordered_map<std::string, std::uint32_t> ids_;
    std::string probe_;
    bool has_last_ = false;
    std::uint32_t last_id_ = 0;  // the value looked up last
};

// Local times as reports show them, the zone's offset looked up once an hour.
class TimeText {
  public:
    std::string operator()(Millis t) {
        const Millis hour = t - ((t % 3'600'000) + 3'600'000) % 3'600'000;
        if (hour != hour_) {
            hour_ = hour;
            // One offset for the whole hour when it starts and ends with it.
            offset_ = util::utc_offset(hour);
            whole_hour_ = util::utc_offset(hour + 3'599'999) == offset_;
        }
        return util::format_local(t, whole_hour_ ? offset_ : util::utc_offset(t));
    }

  private:
    Millis hour_ = std::numeric_limits<Millis>::min();
    long offset_ = 0;
    bool whole_hour_ = false;
};

Error damaged_error() {
    return make_error(ErrorKind::unavailable, "rollups_damaged",
                      "the rollups hold a row that does not read; 'notifyctl report "
                      "--rebuild' counts them again");
}

using SentByChannel = std::map<std::string, std::int64_t, std::less<>>;
using Reasons = std::map<std::tuple<std::string, std::string, std::string>, std::int64_t>;

int priority_rank(std::string_view name) {
    auto p = parse_priority(name);
    return p ? static_cast<int>(*p) : 9;
}

// What was sent per channel and the reasons counted (provider, status,
// reason), as the report gives them: each channel's share, most first; the
// top failure reasons per provider; the suppressions, most first.
void add_shares_and_reasons(const SentByChannel& sent_by_channel, const Reasons& reasons,
                            Report& report) {
    std::int64_t all_sent = 0;
    for (const auto& [channel, n] : sent_by_channel) all_sent += n;
    for (const auto& [channel, n] : sent_by_channel)
        if (n > 0)
            report.channels.push_back(
                {channel, n,
                 all_sent ? static_cast<double>(n) / static_cast<double>(all_sent) : 0});
    std::stable_sort(report.channels.begin(), report.channels.end(),
                     [](const ChannelShare& a, const ChannelShare& b) { return a.sent > b.sent; });

    std::map<std::string, std::vector<Reason>> per_provider;
    for (const auto& [k, n] : reasons) {
        const auto& [provider, status, reason] = k;
        if (n == 0) continue;
        Reason r{provider, status, reason, n};
        if (status == "suppressed")
            report.suppressions.push_back(r);
        else
            per_provider[provider].push_back(r);
    }
    auto most_first = [](const Reason& a, const Reason& b) { return a.count > b.count; };
    for (auto& [provider, list] : per_provider) {
        std::stable_sort(list.begin(), list.end(), most_first);
        if (list.size() > Report::kTopReasons) list.resize(Report::kTopReasons);
        report.failures.insert(report.failures.end(), list.begin(), list.end());
    }
    std::stable_sort(report.suppressions.begin(), report.suppressions.end(), most_first);
}

}  // namespace

const char* to_string(Dimension d) {
    for (const auto& n : kNames)
        if (n.d == d) return n.name;
    return "?";
}

// The name rows keep dimension `d` by: its own, "" for time and status.
static std::string row_dimension(Dimension d) {
    return is_time(d) || d == Dimension::status ? std::string() : to_string(d);
}

Expected<Dimension> parse_dimension(std::string_view text) {
    std::vector<std::string> names;
    for (const auto& n : kNames) {
        if (text == n.name) return n.d;
        names.push_back(n.name);
    }
    std::string message = "unknown report dimension '" + std::string(text) + "'";
    message += util::did_you_mean(text, names);
    message +=
        " (one of: minute, hour, day, channel, provider, priority, status, template, "
        "module, category, group)";
    return make_error(ErrorKind::invalid, "unknown_dimension", message);
}

bool is_time(Dimension d) {
    return d == Dimension::minute || d == Dimension::hour || d == Dimension::day;
}

Status check(const Request& r) {
    if (r.since >= r.until)
        return make_error(ErrorKind::invalid, "bad_range",
                          "the report's start (" + format_time(r.since) +
                              ") is not before its end (" + format_time(r.until) + ")");
    int times = 0;
    for (std::size_t i = 0; i < r.by.size(); ++i) {
        if (is_time(r.by[i])) ++times;
        for (std::size_t j = 0; j < i; ++j)
            if (r.by[j] == r.by[i])
                return make_error(ErrorKind::invalid, "repeated_dimension",
                                  std::string("'") + to_string(r.by[i]) + "' is given twice");
    }
    if (times > 1)
        return make_error(ErrorKind::invalid, "two_time_units",
                          "a report is grouped by one of minute, hour and day, not several");
    int dimensions = 0;
    for (Dimension d : r.by)
        if (!is_time(d) && d != Dimension::status) ++dimensions;
    if (dimensions > 2)
        return make_error(ErrorKind::invalid, "three_dimensions",
                          "a report is grouped by at most two of channel, provider, priority, "
                          "template, module, category and group at once (besides a time unit "
                          "and status)");
    if (r.offset < 0 || r.offset > Request::kMaxOffset)
        return make_error(ErrorKind::invalid, "bad_offset",
                          "the offset must be from 0 to " + std::to_string(Request::kMaxOffset));
    if (r.limit < 0 || r.limit > Request::kMaxLimit)
        return make_error(ErrorKind::invalid, "bad_limit",
                          "the limit must be from 1 to " + std::to_string(Request::kMaxLimit) +
                              " (or 0 for every row)");
    return ok();
}

const RequestNames& query_names() {
    static const RequestNames names{"since", "until", "by", "offset", "limit"};
    return names;
}

const RequestNames& flag_names() {
    static const RequestNames names{"--since", "--until", "--by", "--offset", "--limit"};
    return names;
}

Expected<Request> parse_request(const RequestText& text, Millis now, const RequestNames& names) {
    auto named = [&](const std::string& name, Error e) {
        e.message = name + ": " + e.message;
        e.field = name;
        return e;
    };
    auto time_of = [&](const std::string& t, const std::string& name) -> Expected<Millis> {
        auto parsed = util::parse_time(t, now);
        if (!parsed) return named(name, parsed.error());
        return *parsed;
    };
    Request r;
    if (text.since.empty()) {
        r.since = store::bucket_start(store::Resolution::day, now);
    } else {
        auto t = time_of(text.since, names.since);
        if (!t) return t.error();
        r.since = *t;
    }
    if (text.until.empty()) {
        r.until = now;
    } else {
        auto t = time_of(text.until, names.until);
        if (!t) return t.error();
        r.until = *t;
    }
    for (const auto& list : text.by)
        for (const auto& word : util::split(list, ',')) {
            auto d = parse_dimension(util::trim(word));
            if (!d) return named(names.by, d.error());
            r.by.push_back(*d);
        }
    // Whole numbers; "" is 0 (no offset, every row).
    for (auto [text_of, name, code, min, max, out] :
         {std::tuple{&text.offset, &names.offset, "bad_offset", std::int64_t{0},
                     Request::kMaxOffset, &r.offset},
          std::tuple{&text.limit, &names.limit, "bad_limit", std::int64_t{1}, Request::kMaxLimit,
                     &r.limit}}) {
        if (text_of->empty()) continue;
        auto n = util::parse_whole(*text_of, min, max, *name, code);
        if (!n) return n.error();
        *out = *n;
    }
    if (auto st = check(r); !st) {
        Error e = st.error();
        e.field = e.code == "bad_range"    ? names.since
                  : e.code == "bad_offset" ? names.offset
                  : e.code == "bad_limit"  ? names.limit
                                           : names.by;
        return e;
    }
    return r;
}

Report empty(const Request& request) {
    Report report;
    report.by = request.by;
    report.from = store::bucket_start(store::Resolution::minute, request.since);
    report.until = store::bucket_start(store::Resolution::minute, request.until + kMinute - 1);
    report.total = row_of(Gathered{});
    return report;
}

std::string format_time(Millis t) {
    return util::format_local(t, util::utc_offset(t));
}

std::int64_t Row::count(std::string_view status) const {
    const std::size_t i = store::status_index(status);
    return i < counts.size() ? counts[i] : 0;
}

Expected<Report> make(store::RollupStore& rollups, const Request& request, RowSink& sink) {
    if (auto st = check(request); !st) return st.error();
    Report report = empty(request);
    const std::int64_t generation = rollups.marks().generation;
    bool damaged = false;

    // Cells read from the series (by status alone) when nothing but time and
    // status groups them, from the rows of the one dimension asked for, or
    // from those of the pair of two: a group's value is then both values,
    // joined in the pair's order.
    std::optional<Dimension> time_unit;
    bool by_status = false;
    std::vector<std::size_t> picked;  // the dimensions asked for, as rollup_dimensions() indexes
    const auto& dimensions = store::rollup_dimensions();
    for (Dimension d : request.by) {
        const std::string name = row_dimension(d);
        if (!name.empty())
            picked.push_back(static_cast<std::size_t>(
                std::find(dimensions.begin(), dimensions.end(), name) - dimensions.begin()));
        if (is_time(d)) time_unit = d;
        if (d == Dimension::status) by_status = true;
    }
    const bool pair = picked.size() == 2;
    const std::string dimension =
        picked.empty() ? std::string()
        : pair         ? store::rollup_pairs()[store::pair_index(std::min(picked[0], picked[1]),
                                                                 std::max(picked[0], picked[1]))]
                       : dimensions[picked[0]];
    if (pair) {
        const Millis since = rollups.pairs_since();
        if (since > report.from)
            return make_error(
                ErrorKind::invalid, "rollups_incomplete",
                "reports by two of channel, provider, priority, template, module, category and "
                "group count from " +
                    format_time(since) +
                    " (when this version began to count them); 'notifyctl report --rebuild' "
                    "counts what came before");
    }
    // The value of a group in the k-th dimension asked for.
    auto part = [&](std::string_view value, std::size_t k) -> std::string_view {
        if (!pair) return value;
        const std::size_t at = value.find(store::kPairSeparator);
        if (at == std::string_view::npos) return value;
        const bool first = picked[k] == std::min(picked[0], picked[1]);
        return first ? value.substr(0, at) : value.substr(at + 1);
    };
    const auto main_plan = plan(report.from, report.until, largest_for(request.by));
    const auto day_plan = plan(report.from, report.until, store::Resolution::day);

    store::Cell cell;
    auto read = [&](const std::vector<Piece>& pieces, const std::string& dim,
                    const std::function<void(Millis, store::Cell&)>& each) -> Status {
        for (const Piece& p : pieces) {
            Status st = rollups.read_buckets(generation, p.resolution, dim, p.from, p.to,
                                             [&](Millis bucket, std::string_view data) {
                                                 store::BucketReader cells(data);
                                                 while (cells.next(cell)) each(bucket, cell);
                                                 if (!cells.ok()) damaged = true;
                                             });
            if (!st) return st;
        }
        return ok();
    };

    // Each channel's share and the suppressions by reason from the channel
    // rows, the failures from the provider rows: known before the first row.
    SentByChannel sent_by_channel;
    Reasons reasons;
    const auto& statuses = store::report_statuses();
    static const std::size_t kFailed = store::status_index("failed"),
                             kRetry = store::status_index("retry"),
                             kSuppressed = store::status_index("suppressed");
    Status st = read(day_plan, "channel", [&](Millis, store::Cell& c) {
        if (c.status == kSent) {
            auto it = sent_by_channel.find(c.value);
            if (it == sent_by_channel.end())
                it = sent_by_channel.emplace(std::string(c.value), 0).first;
            it->second += c.figures.count;
        }
        if (c.status == kSuppressed)
            reasons[{"", statuses[c.status], std::string(c.reason)}] += c.figures.count;
    });
    if (st)
        st = read(day_plan, "provider", [&](Millis, store::Cell& c) {
            if (c.status == kFailed || c.status == kRetry)
                reasons[{std::string(c.value), statuses[c.status], std::string(c.reason)}] +=
                    c.figures.count;
        });
    if (!st) return st.error();
    add_shares_and_reasons(sent_by_channel, reasons, report);
    if (damaged) return damaged_error();
    sink.begin(report);

    // Rows as time groups end: time in order, then each dimension as asked
    // (priorities high to low, statuses as reports list them, values by name).
    // One row's storage serves them all. Rows outside the page asked for are
    // counted, not made, and time groups wholly outside it are not sorted.
    TimeText time_text;
    std::vector<std::size_t> order;
    Row row;
    row.key.resize(request.by.size());
    std::int64_t rows_before = 0;  // the rows of the time groups done
    const std::int64_t page_end = request.limit > 0 ? request.offset + request.limit
                                                    : std::numeric_limits<std::int64_t>::max();
    Groups groups([&](Millis time, const std::vector<Groups::Group>& done) {
        const std::int64_t first = rows_before;
        rows_before += static_cast<std::int64_t>(done.size());
        if (rows_before <= request.offset || first >= page_end) return;
        order.resize(done.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t ia, std::size_t ib) {
            const auto &a = done[ia], &b = done[ib];
            std::size_t k = 0;  // the dimension's place among those asked for
            for (Dimension d : request.by) {
                if (d == Dimension::status) {
                    if (a.status != b.status) return a.status < b.status;
                    continue;
                }
                if (is_time(d)) continue;
                const std::size_t at = k++;
                if (a.value == b.value) continue;
                const std::string_view va = part(groups.value(a.value), at),
                                       vb = part(groups.value(b.value), at);
                if (va == vb) continue;
                if (d == Dimension::priority && priority_rank(va) != priority_rank(vb))
                    return priority_rank(va) < priority_rank(vb);
                return va < vb;
            }
            return false;
        });
        if (time_unit) {
            row.time = time;
            const std::string when = time_text(time);
            for (std::size_t i = 0; i < request.by.size(); ++i)
                if (is_time(request.by[i])) row.key[i] = when;
        }
        const std::int64_t from = std::max<std::int64_t>(request.offset - first, 0);
        const std::int64_t to = std::min<std::int64_t>(page_end - first, rows_before - first);
        for (std::int64_t n = from; n < to; ++n) {
            const auto& g = done[order[static_cast<std::size_t>(n)]];
            fill_row(g.gathered, row);
            std::size_t k = 0;
            for (std::size_t d = 0; d < request.by.size(); ++d) {
                if (request.by[d] == Dimension::status)
                    row.key[d] = statuses[g.status];
                else if (!is_time(request.by[d]))
                    row.key[d] = part(groups.value(g.value), k++);
            }
            sink.row(row);
        }
    });
    Total total;
    total.peaks = true;
    Gathered* group = nullptr;
    st = read(main_plan, dimension, [&](Millis bucket, store::Cell& c) {
        if (c.new_value || by_status || !group) {
            group = &groups.at(time_unit ? time_group(*time_unit, bucket) : 0,
                               dimension.empty() ? std::string_view() : c.value,
                               by_status ? c.status : 0);
            group->peaks = dimension.empty();
        }
        total.add(c);
        if (rows_before < page_end) group->add(c);  // else counted only
    });
    // The peaks of the whole range, from the series, when a dimension was read.
    if (st && !dimension.empty())
        st = read(day_plan, "", [&](Millis, store::Cell& c) { total.peak(c); });
    groups.finish();
    if (!st) return st.error();
    if (damaged) return damaged_error();

    report.total = row_of(total.summed());
    report.rows_total = rows_before;

    return report;
}

Expected<Report> make(store::RollupStore& rollups, const Request& request) {
    std::vector<Row> rows;
    KeptRows keep(rows);
    auto made = make(rollups, request, keep);
    if (made) made->rows = std::move(rows);
    return made;
}

}  // namespace notify::report
