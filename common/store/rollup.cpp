// rollup.cpp - folding what reports count; see rollup.hpp.
#include "store/rollup.hpp"

#include <algorithm>
#include <ctime>
#include <tuple>

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
        {"no user", "no_user"},
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

Millis RollupBatch::start_of(int resolution, Millis at) {
    const Resolution r = kResolutions[resolution];
    if (r != Resolution::day) return bucket_start(r, at);
    if (at < day_start_ || at >= day_end_) {
        day_start_ = bucket_start(Resolution::day, at);
        day_end_ = bucket_end(Resolution::day, day_start_);
    }
    return day_start_;
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
    for (int r = 0; r < 3; ++r) {
        const Millis bucket = start_of(r, f.at);
        SeriesFigures& s = series_[Key{r, bucket, static_cast<std::uint32_t>(status)}];
        s.figures.add(f.size, f.latency);
        s.peak.merge(Peak{in_second, second});
        rows_[Key{r, bucket, at->second}].add(f.size, f.latency);
    }
}

std::uint32_t RollupBatch::intern(std::string_view text) {
    auto [it, added] =
        string_ids_.try_emplace(std::string(text), static_cast<std::uint32_t>(strings_.size()));
    if (added) strings_.emplace_back(text);
    return it->second;
}

void RollupBatch::each_bucket(
    const std::function<void(Resolution, const std::string&, Millis, std::string_view)>& f) const {
    // Strings by rank in byte order, so that cells sort as buckets keep them
    // by comparing numbers ("" is first, rank 0).
    std::vector<std::uint32_t> by_rank(strings_.size()), rank(strings_.size());
    for (std::uint32_t i = 0; i < by_rank.size(); ++i) by_rank[i] = i;
    std::sort(by_rank.begin(), by_rank.end(),
              [&](std::uint32_t a, std::uint32_t b) { return strings_[a] < strings_[b]; });
    for (std::uint32_t i = 0; i < by_rank.size(); ++i) rank[by_rank[i]] = i;

    struct Entry {
        int resolution;
        // 0 for the series, 1 + an index in rollup_dimensions(), or
        // kFirstPair + an index in rollup_pairs().
        std::uint32_t dimension;
        Millis bucket;
        std::uint32_t value, status, reason;  // value and reason by rank
        const Figures* figures;
        const Peak* peak;
        auto key() const { return std::tie(resolution, dimension, bucket, value, status, reason); }
    };
    std::vector<Entry> entries;
    entries.reserve(series_.size() + rows_.size() * (kRollupDimensions + kRollupPairs));
    for (const auto& [k, s] : series_)
        entries.push_back({k.resolution, 0, k.bucket, 0, k.what, 0, &s.figures, &s.peak});
    // Reasons are kept where reports read them, so that a row's size grows
    // with its values, not with every distinct failure text: suppressions by
    // channel, failures and retries by provider.
    static const std::uint32_t kChannel = 1, kProvider = 2, kFirstPair = kRollupDimensions + 1;
    static const std::size_t kSuppressed = status_index("suppressed"),
                             kFailed = status_index("failed"), kRetry = status_index("retry");
    for (const auto& [k, figures] : rows_) {
        const Combination& c = combinations_[k.what];
        for (std::uint32_t d = 0; d < kRollupDimensions; ++d) {
            const std::uint32_t dimension = d + 1;
            const bool reason =
                (dimension == kChannel && c.status == kSuppressed) ||
                (dimension == kProvider && (c.status == kFailed || c.status == kRetry));
            entries.push_back({k.resolution, dimension, k.bucket, rank[c.values[d]], c.status,
                               reason ? rank[c.reason] : 0, &figures, nullptr});
        }
        for (std::uint32_t p = 0; p < kRollupPairs; ++p)
            entries.push_back({k.resolution, kFirstPair + p, k.bucket, rank[c.pairs[p]], c.status,
                               0, &figures, nullptr});
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.key() < b.key(); });

    static const std::string kSeries;
    for (std::size_t i = 0; i < entries.size();) {
        const Entry& first = entries[i];
        BucketWriter out;
        std::size_t j = i;
        for (; j < entries.size() && entries[j].resolution == first.resolution &&
               entries[j].dimension == first.dimension && entries[j].bucket == first.bucket;) {
            Cell cell;
            cell.value = strings_[by_rank[entries[j].value]];
            cell.status = entries[j].status;
            cell.reason = strings_[by_rank[entries[j].reason]];
            const auto key = entries[j].key();
            for (; j < entries.size() && entries[j].key() == key; ++j) {
                cell.figures.merge(*entries[j].figures);
                if (entries[j].peak) cell.peak.merge(*entries[j].peak);
            }
            out.add(cell);
        }
        const std::string& name = first.dimension == 0 ? kSeries
                                  : first.dimension < kFirstPair
                                      ? rollup_dimensions()[first.dimension - 1]
                                      : rollup_pairs()[first.dimension - kFirstPair];
        f(kResolutions[first.resolution], name, first.bucket, out.data());
        i = j;
    }
}

void RollupBatch::clear() {
    rows_.clear();
    series_.clear();
    combination_ids_.clear();
    combinations_.clear();
    strings_.assign(1, std::string());
    string_ids_ = {{std::string(), 0}};
}

void RollupBatch::reset() {
    clear();
    seconds_.clear();
}

}  // namespace notify::store
