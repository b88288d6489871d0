// report.cpp - reports over the rollups; see report.hpp.
#include "report/report.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <unordered_map>

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
    for (Millis c = from; c < to;) {
        if (largest == Resolution::day && store::bucket_start(Resolution::day, c) == c) {
            Millis end = store::bucket_end(Resolution::day, c);
            if (end <= to) {
                add(Resolution::day, c, end);
                c = end;
                continue;
            }
        }
        if (largest != Resolution::minute && c % 3'600'000 == 0 && c + 3'600'000 <= to) {
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

std::string value_of(Dimension d, Millis bucket, const std::string& status,
                     const std::string& value) {
    if (is_time(d)) return std::to_string(time_group(d, bucket));
    if (d == Dimension::status) return status;
    return value;
}

// What one group gathers while rows are read.
struct Gathered {
    // Figures by status (store::status_index), in the order they came: a few.
    std::vector<std::pair<std::size_t, store::Figures>> by_status;
    store::Figures& of(const std::string& status) {
        const std::size_t i = store::status_index(status);
        for (auto& [s, f] : by_status)
            if (s == i) return f;
        return by_status.emplace_back(i, store::Figures{}).second;
    }
    store::Peak peak_sent, peak_accepted;
    bool peaks = false;
};

Spread spread_of(std::int64_t sum, const util::Histogram& h) {
    Spread s;
    s.count = h.count();
    if (s.count == 0) return s;
    s.average = static_cast<double>(sum) / static_cast<double>(s.count);
    s.p50 = h.quantile(0.50);
    s.p95 = h.quantile(0.95);
    s.p99 = h.quantile(0.99);
    return s;
}

Row row_of(const Gathered& g) {
    Row row;
    const auto& names = store::report_statuses();
    for (const auto& status : names) row.counts.emplace_hint(row.counts.end(), status, 0);
    static const std::size_t sent = store::status_index("sent");
    for (const auto& [status, f] : g.by_status) {
        if (status >= names.size()) continue;
        row.counts[names[status]] += f.count;
        if (status == sent) {
            row.size = spread_of(f.size_sum, f.size);
            row.latency = spread_of(f.latency_sum, f.latency);
        }
    }
    if (g.peaks) {
        row.peak_sent = g.peak_sent;
        row.peak_accepted = g.peak_accepted;
    }
    return row;
}

int priority_rank(const std::string& name) {
    auto p = parse_priority(name);
    return p ? static_cast<int>(*p) : 9;
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
    if (dimensions > 1)
        return make_error(ErrorKind::invalid, "two_dimensions",
                          "a report is grouped by one of channel, provider, priority, template, "
                          "module, category and group at a time (besides a time unit and status)");
    return ok();
}

Expected<Request> parse_request(const RequestText& text, Millis now,
                                const std::vector<std::string>& names) {
    auto named = [&](std::size_t i, Error e) {
        e.message = names.at(i) + ": " + e.message;
        e.field = names.at(i);
        return e;
    };
    auto time_of = [&](const std::string& t, std::size_t i) -> Expected<Millis> {
        std::string written = t;
        // A bare date is its local midnight.
        if (written.size() == 10 && written[4] == '-' && written[7] == '-') written += " 00:00";
        auto parsed = util::parse_time(written, now);
        if (!parsed) return named(i, parsed.error());
        return *parsed;
    };
    Request r;
    if (text.since.empty()) {
        r.since = store::bucket_start(store::Resolution::day, now);
    } else {
        auto t = time_of(text.since, 0);
        if (!t) return t.error();
        r.since = *t;
    }
    if (text.until.empty()) {
        r.until = now;
    } else {
        auto t = time_of(text.until, 1);
        if (!t) return t.error();
        r.until = *t;
    }
    for (const auto& list : text.by)
        for (const auto& word : util::split(list, ',')) {
            auto d = parse_dimension(util::trim(word));
            if (!d) return named(2, d.error());
            r.by.push_back(*d);
        }
    if (auto st = check(r); !st) {
        Error e = st.error();
        e.field = e.code == "bad_range" ? names.at(0) : names.at(2);
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
    std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    const long off = tm.tm_gmtoff / 60;
    char buf[64];
    if (off == 0)
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
                      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                      tm.tm_sec, off < 0 ? '-' : '+', std::labs(off) / 60, std::labs(off) % 60);
    return buf;
}

Expected<Report> make(store::RollupStore& rollups, const Request& request) {
    if (auto st = check(request); !st) return st.error();
    Report report = empty(request);
    const std::int64_t generation = rollups.marks().generation;

    // Rows read from the series (per status alone) when nothing but time and
    // status groups them; else the rows of the one dimension asked for.
    std::string dimension;
    for (Dimension d : request.by)
        if (!row_dimension(d).empty()) dimension = row_dimension(d);
    const auto main_plan = plan(report.from, report.until, largest_for(request.by));
    const auto day_plan = plan(report.from, report.until, store::Resolution::day);

    // Groups by their values joined with '\x1f' (the values kept beside them).
    std::unordered_map<std::string, std::pair<std::vector<std::string>, Gathered>> groups;
    Gathered total;
    total.peaks = true;
    std::string joined;
    auto group = [&](Millis bucket, const std::string& status,
                     const std::string& value) -> Gathered& {
        joined.clear();
        for (Dimension d : request.by) {
            if (is_time(d))
                joined += std::to_string(time_group(d, bucket));
            else
                joined += d == Dimension::status ? status : value;
            joined += '\x1f';
        }
        auto [it, added] = groups.try_emplace(joined);
        if (added)
            for (Dimension d : request.by)
                it->second.first.push_back(value_of(d, bucket, status, value));
        return it->second.second;
    };
    auto read_series = [&](const std::vector<Piece>& pieces, bool into_groups) -> Status {
        for (const Piece& p : pieces) {
            Status st = rollups.read_series(generation, p.resolution, p.from, p.to,
                                            [&](const store::SeriesRow& s) {
                                                if (s.status == "sent")
                                                    total.peak_sent.merge(s.peak);
                                                if (s.status == "accepted")
                                                    total.peak_accepted.merge(s.peak);
                                                if (!into_groups) return;
                                                Gathered& g = group(s.bucket, s.status, {});
                                                g.of(s.status).merge(s.figures);
                                                g.peaks = true;
                                                if (s.status == "sent") g.peak_sent.merge(s.peak);
                                                if (s.status == "accepted")
                                                    g.peak_accepted.merge(s.peak);
                                                total.of(s.status).merge(s.figures);
                                            });
            if (!st) return st;
        }
        return ok();
    };
    auto read_rows = [&](const std::vector<Piece>& pieces, const std::string& dim,
                         const std::function<void(const store::RollupRow&)>& each) -> Status {
        for (const Piece& p : pieces)
            if (Status st = rollups.read_rows(generation, p.resolution, dim, p.from, p.to, each);
                !st)
                return st;
        return ok();
    };
    Status st = ok();
    if (dimension.empty()) {
        st = read_series(main_plan, true);
    } else {
        st = read_rows(main_plan, dimension, [&](const store::RollupRow& r) {
            group(r.bucket, r.status, r.value).of(r.status).merge(r.figures);
            total.of(r.status).merge(r.figures);
        });
        if (st) st = read_series(day_plan, false);
    }
    // Each channel's share and the suppressions by reason from the channel rows,
    // the failures from the provider rows.
    std::map<std::string, std::int64_t> sent_by_channel;
    std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> reasons;
    if (st)
        st = read_rows(day_plan, "channel", [&](const store::RollupRow& r) {
            if (r.status == "sent") sent_by_channel[r.value] += r.figures.count;
            if (r.status == "suppressed") reasons[{"", r.status, r.reason}] += r.figures.count;
        });
    if (st)
        st = read_rows(day_plan, "provider", [&](const store::RollupRow& r) {
            if (r.status == "failed" || r.status == "retry")
                reasons[{r.value, r.status, r.reason}] += r.figures.count;
        });
    if (!st) return st.error();

    std::optional<std::size_t> time_index;
    for (std::size_t i = 0; i < request.by.size(); ++i)
        if (is_time(request.by[i])) time_index = i;
    for (auto& [joined_key, entry] : groups) {
        const auto& [key, g] = entry;
        Row row = row_of(g);
        row.key = key;
        if (time_index) {
            row.time = std::stoll(key[*time_index]);
            row.key[*time_index] = format_time(row.time);
        }
        report.rows.push_back(std::move(row));
    }
    // Time in order, priorities high to low, everything else by name.
    std::sort(report.rows.begin(), report.rows.end(), [&](const Row& a, const Row& b) {
        if (a.time != b.time) return a.time < b.time;
        for (std::size_t i = 0; i < request.by.size(); ++i) {
            if (a.key[i] == b.key[i]) continue;
            if (request.by[i] == Dimension::priority)
                return priority_rank(a.key[i]) < priority_rank(b.key[i]);
            if (request.by[i] == Dimension::status)
                return store::status_index(a.key[i]) < store::status_index(b.key[i]);
            return a.key[i] < b.key[i];
        }
        return false;
    });
    report.total = row_of(total);

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
    return report;
}

}  // namespace notify::report
