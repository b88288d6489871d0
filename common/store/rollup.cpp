// rollup.cpp - folding what reports count; see rollup.hpp.
#include "store/rollup.hpp"

#include <algorithm>
#include <ctime>
#include <tuple>
#include <utility>

#include "store/rollup_bucket.hpp"
#include "util/strings.hpp"

namespace notify::store {

namespace {

// Seconds kept for peaks behind the latest one folded: folds arrive about in
// time order, late by a flush or a restart at most.
constexpr Millis kSecondsKept = 3'600'000;

}  // namespace

const std::vector<std::string>& report_statuses() {
    static const std::vector<std::string> kStatuses = {
        "accepted", "sent",   "delivered", "read",       "clicked",
        "retry",    "failed", "expired",   "suppressed", "canceled"};
    static_assert(kReportStatuses == 10, "kStatuses has kReportStatuses names");
    return kStatuses;
}

const std::vector<std::string>& rollup_dimensions() {
    static const std::vector<std::string> kDimensions = {
        "channel", "provider", "priority", "template", "module", "category", "group"};
    return kDimensions;
}

const std::vector<std::string>& rollup_pairs() {
    static const std::vector<std::string> kPairs = [] {
        std::vector<std::string> out;
        const auto& d = rollup_dimensions();
        for (std::size_t a = 0; a < d.size(); ++a)
            for (std::size_t b = a + 1; b < d.size(); ++b) out.push_back(d[a] + "+" + d[b]);
        return out;
    }();
    return kPairs;
}

std::size_t pair_index(std::size_t a, std::size_t b) {
    // The pairs of every dimension before a, then a's with those after it.
    return a * (2 * kRollupDimensions - a - 1) / 2 + (b - a - 1);
}

std::size_t status_index(std::string_view status) {
    const auto& all = report_statuses();
    return static_cast<std::size_t>(std::find(all.begin(), all.end(), status) - all.begin());
}

bool is_report_status(std::string_view status) {
    return status_index(status) < report_statuses().size();
}

std::string report_groups(std::string_view recipients) {
    if (recipients.find("group:") == std::string_view::npos) return {};
    std::vector<std::string> groups;
    for (const auto& r : util::split(recipients, '\n'))
        if (r.rfind("group:", 0) == 0) groups.push_back(r.substr(6));
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    std::string out;
    for (const auto& g : groups) {
        if (!out.empty()) out += ',';
        out += g;
    }
    return util::cut_utf8(out, kReasonBytes);
}

std::string suppression_reason(std::string_view detail) {
    static const std::pair<std::string_view, std::string_view> kClasses[] = {
        {"unsubscribed", "unsubscribed"}, {"opted out", "opted_out"},
        {"duplicate of", "duplicate"},    {"frequency cap", "frequency_cap"},
        {"no user", "no_user"},           {"recipient limit", "recipient_limit"},
    };
    for (const auto& [prefix, name] : kClasses)
        if (detail.substr(0, prefix.size()) == prefix) return std::string(name);
    if (detail.find("has no address") != std::string_view::npos) return "no_address";
    return failure_reason(detail);
}

std::string failure_reason(std::string_view reason) {
    return util::cut_utf8(reason, kReasonBytes);
}

RollupFold fold_of(const RollupDims& notification) {
    RollupFold f;
    f.template_name = notification.template_name;
    f.module = notification.module;
    f.category = notification.category;
    f.groups = notification.groups;
    return f;
}

void Figures::add(std::int64_t bytes, Millis ms) {
    ++count;
    if (bytes >= 0) {
        size_sum += bytes;
        size.add(bytes);
    }
    if (ms >= 0) {
        latency_sum += ms;
        latency.add(ms);
    }
}

void Figures::merge(const Figures& o) {
    count += o.count;
    size_sum += o.size_sum;
    size.merge(o.size);
    latency_sum += o.latency_sum;
    latency.merge(o.latency);
}

void Figures::clear() {
    count = size_sum = latency_sum = 0;
    size.clear();
    latency.clear();
}

void FiguresSum::add(const Figures& f) {
    count += f.count;
    size_sum += f.size_sum;
    latency_sum += f.latency_sum;
    size.add(f.size);
    latency.add(f.latency);
}

void FiguresSum::take(Figures& out) {
    out.count = std::exchange(count, 0);
    out.size_sum = std::exchange(size_sum, 0);
    out.latency_sum = std::exchange(latency_sum, 0);
    size.take(out.size);
    latency.take(out.latency);
}

bool Figures::operator==(const Figures& o) const {
    return count == o.count && size_sum == o.size_sum && size == o.size &&
           latency_sum == o.latency_sum && latency == o.latency;
}

void Peak::merge(const Peak& o) {
    if (o.per_second > per_second || (o.per_second == per_second && o.at && o.at < at)) *this = o;
}

Millis bucket_start(Resolution r, Millis at) {
    if (r != Resolution::day) {
        const auto width = static_cast<Millis>(r);
        Millis start = at - at % width;
        return at < 0 && at % width ? start - width : start;
    }
    std::time_t t = static_cast<std::time_t>(at >= 0 ? at / 1000 : (at - 999) / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return static_cast<Millis>(std::mktime(&tm)) * 1000;
}

Millis bucket_end(Resolution r, Millis start) {
    if (r != Resolution::day) return start + static_cast<Millis>(r);
    // A local day is 23 to 25 hours long: the next midnight is the one after
    // a day and a half.
    return bucket_start(Resolution::day, start + 36 * 3'600'000);
}

void RollupBatch::add(const RollupFold& f) {
    const std::size_t status = status_index(f.status);
    if (status >= report_statuses().size()) return;
    // The peak: folds of this status in this second so far.
    if (seconds_.size() <= status) seconds_.resize(report_statuses().size());
    Seconds& seconds = seconds_[status];
    const Millis second = f.at - ((f.at % 1000) + 1000) % 1000;
    const std::int64_t in_second = ++seconds.counts[second];
    if (second > seconds.latest) {
        seconds.latest = second;
        if (seconds.counts.size() > 4096)
            seconds.counts.erase(seconds.counts.begin(),
                                 seconds.counts.lower_bound(second - kSecondsKept));
    }
    // The combination of values, by index.
    key_.assign(1, static_cast<char>('0' + status));
    for (std::string_view part :
         {f.channel, f.provider, f.template_name, f.module, f.category, f.groups, f.reason}) {
        key_ += '\x1f';
        key_ += part;
    }
    key_ += static_cast<char>('0' + static_cast<int>(f.priority));
    auto [at, added] =
        combination_ids_.try_emplace(key_, static_cast<std::uint32_t>(combinations_.size()));
    if (added) {
        // In the order of rollup_dimensions().
        const std::string_view values[kRollupDimensions] = {
            f.channel,  f.provider, to_string(f.priority), f.template_name, f.module,
            f.category, f.groups};
        Combination c{static_cast<std::uint32_t>(status), {}, intern(f.reason), {}};
        for (std::size_t d = 0; d < kRollupDimensions; ++d) c.values[d] = intern(values[d]);
        std::string joined;
        for (std::size_t a = 0; a < kRollupDimensions; ++a)
            for (std::size_t b = a + 1; b < kRollupDimensions; ++b) {
                // A separator inside a value would split it apart: it reads as a space.
                joined.clear();
                for (char ch : values[a]) joined += ch == kPairSeparator ? ' ' : ch;
                joined += kPairSeparator;
                for (char ch : values[b]) joined += ch == kPairSeparator ? ' ' : ch;
                c.pairs[pair_index(a, b)] = intern(joined);
            }
        combinations_.push_back(c);
    }
    const Millis minute = bucket_start(Resolution::minute, f.at);
    SeriesFigures& s = series_[Key{minute, static_cast<std::uint32_t>(status)}];
    s.figures.add(f.size, f.latency);
    s.peak.merge(Peak{in_second, second});
    rows_[Key{minute, at->second}].add(f.size, f.latency);
}

std::uint32_t RollupBatch::intern(std::string_view text) {
    auto [it, added] =
        string_ids_.try_emplace(std::string(text), static_cast<std::uint32_t>(strings_.size()));
    if (added) strings_.emplace_back(text);
    return it->second;
}

namespace {

// The start of the bucket of resolution `r` that holds a minute, the local
// day's from the last asked (a batch's minutes are mostly of one day).
class BucketOfMinute {
  public:
    explicit BucketOfMinute(Resolution r) : r_(r) {}
    Millis operator()(Millis minute) {
        if (r_ != Resolution::day) return bucket_start(r_, minute);
        if (minute < day_start_ || minute >= day_end_) {
            day_start_ = bucket_start(Resolution::day, minute);
            day_end_ = bucket_end(Resolution::day, day_start_);
        }
        return day_start_;
    }

  private:
    Resolution r_;
    Millis day_start_ = 0, day_end_ = 0;
};

// A batch's rows of minutes as rows of `r` (hours or days; minutes are
// only the batch's own).
template <typename Map>
const Map& by_resolution(Resolution r, const Map& minutes, Map& out) {
    if (r == Resolution::minute) return minutes;
    BucketOfMinute start(r);
    for (const auto& [k, v] : minutes) {
        auto key = k;
        key.bucket = start(k.bucket);
        out[key].merge(v);
    }
    return out;
}

}  // namespace

void RollupBatch::each_bucket(const Sink& f) const {
    const Ranks order = ranks();
    for (Resolution r : kResolutions) {
        Series series;
        Rows rows;
        write_series(r, by_resolution(r, series_, series), f);
        write_rows(r, by_resolution(r, rows_, rows), order, f);
    }
}

RollupBatch::Ranks RollupBatch::ranks() const {
    Ranks out;
    out.of.assign(strings_.size(), 0);
    std::vector<char> used(strings_.size(), 0);
    used[0] = 1;
    for (const auto& [k, figures] : rows_) {
        const Combination& c = combinations_[k.what];
        used[c.reason] = 1;
        for (std::uint32_t v : c.values) used[v] = 1;
        for (std::uint32_t v : c.pairs) used[v] = 1;
    }
    for (std::uint32_t i = 0; i < used.size(); ++i)
        if (used[i]) out.by.push_back(i);
    std::sort(out.by.begin(), out.by.end(),
              [&](std::uint32_t a, std::uint32_t b) { return strings_[a] < strings_[b]; });
    for (std::uint32_t i = 0; i < out.by.size(); ++i) out.of[out.by[i]] = i;
    return out;
}

void RollupBatch::write_series(Resolution r, const Series& series, const Sink& f) const {
    // A cell per status, a row per bucket.
    static const std::string kSeries;
    std::vector<std::pair<const Key*, const SeriesFigures*>> cells;
    cells.reserve(series.size());
    for (const auto& [k, s] : series) cells.emplace_back(&k, &s);
    std::sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) {
        return std::tie(a.first->bucket, a.first->what) < std::tie(b.first->bucket, b.first->what);
    });
    for (std::size_t i = 0; i < cells.size();) {
        const Millis bucket = cells[i].first->bucket;
        BucketWriter out;
        for (; i < cells.size() && cells[i].first->bucket == bucket; ++i)
            out.add({}, cells[i].first->what, {}, cells[i].second->figures, cells[i].second->peak);
        f(r, kSeries, bucket, out.data());
    }
}

void RollupBatch::write_rows(Resolution r, const Rows& rows, const Ranks& ranks,
                             const Sink& f) const {
    // By bucket, then a row of each dimension and each pair of them: a row's
    // cells are as many as the bucket's combinations at most.
    std::vector<std::pair<const Key*, const Figures*>> by_bucket;
    by_bucket.reserve(rows.size());
    for (const auto& [k, figures] : rows) by_bucket.emplace_back(&k, &figures);
    std::sort(by_bucket.begin(), by_bucket.end(),
              [](const auto& a, const auto& b) { return a.first->bucket < b.first->bucket; });
    struct Entry {
        std::uint64_t order;   // the value's rank, then the status
        std::uint32_t reason;  // by rank
        const Figures* figures;
        bool operator<(const Entry& o) const {
            return order != o.order ? order < o.order : reason < o.reason;
        }
        bool same_cell(const Entry& o) const { return order == o.order && reason == o.reason; }
    };
    // Reasons are kept where reports read them, so that a row's size grows
    // with its values, not with every distinct failure text: suppressions by
    // channel, failures and retries by provider.
    static const std::size_t kChannel = 0, kProvider = 1;
    static const auto kSuppressed = static_cast<std::uint32_t>(status_index("suppressed")),
                      kFailed = static_cast<std::uint32_t>(status_index("failed")),
                      kRetry = static_cast<std::uint32_t>(status_index("retry"));
    std::vector<Entry> entries;
    FiguresSum sum;
    Figures summed;
    for (std::size_t i = 0, j = 0; i < by_bucket.size(); i = j) {
        const Millis bucket = by_bucket[i].first->bucket;
        for (j = i; j < by_bucket.size() && by_bucket[j].first->bucket == bucket;) ++j;
        for (std::size_t d = 0; d < kRollupDimensions + kRollupPairs; ++d) {
            entries.clear();
            for (std::size_t e = i; e < j; ++e) {
                const Combination& c = combinations_[by_bucket[e].first->what];
                const std::uint32_t value =
                    d < kRollupDimensions ? c.values[d] : c.pairs[d - kRollupDimensions];
                const bool reason = (d == kChannel && c.status == kSuppressed) ||
                                    (d == kProvider && (c.status == kFailed || c.status == kRetry));
                entries.push_back({std::uint64_t{ranks.of[value]} << 8 | c.status,
                                   reason ? ranks.of[c.reason] : 0, by_bucket[e].second});
            }
            std::sort(entries.begin(), entries.end());
            BucketWriter out;
            for (std::size_t e = 0, end = 0; e < entries.size(); e = end) {
                const Figures* figures = entries[e].figures;
                for (end = e + 1; end < entries.size() && entries[end].same_cell(entries[e]);)
                    ++end;
                if (end - e > 1) {
                    for (std::size_t k = e; k < end; ++k) sum.add(*entries[k].figures);
                    sum.take(summed);
                    figures = &summed;
                }
                out.add(strings_[ranks.by[entries[e].order >> 8]], entries[e].order & 0xff,
                        strings_[ranks.by[entries[e].reason]], *figures, Peak{});
            }
            const std::string& name = d < kRollupDimensions ? rollup_dimensions()[d]
                                                            : rollup_pairs()[d - kRollupDimensions];
            f(r, name, bucket, out.data());
        }
    }
}

void RollupBatch::clear() {
    rows_.clear();
    series_.clear();
    if (combinations_.size() > kCombinationsKept) {
        combination_ids_.clear();
        combinations_.clear();
        strings_.assign(1, std::string());
        string_ids_ = {{std::string(), 0}};
    }
}

void RollupBatch::reset() {
    clear();
    seconds_.clear();
}

}  // namespace notify::store
