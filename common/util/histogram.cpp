// histogram.cpp - log-linear histograms; see histogram.hpp.
#include "util/histogram.hpp"

#include <algorithm>
#include <charconv>

namespace notify::util {

namespace {
constexpr int kExact = 16;      // values below have a bucket each
constexpr int kSubBuckets = 8;  // buckets per power of two above
constexpr int kSubBits = 3;
constexpr int kMaxBucket = kExact + (62 - 4) * kSubBuckets + kSubBuckets - 1;

int highest_bit(std::uint64_t v) {
    return 63 - __builtin_clzll(v);
}
}  // namespace

int Histogram::bucket_of(std::int64_t value) {
    if (value < kExact) return value < 0 ? 0 : static_cast<int>(value);
    const auto v = static_cast<std::uint64_t>(value);
    const int e = highest_bit(v);  // >= 4
    const int sub = static_cast<int>((v >> (e - kSubBits)) & (kSubBuckets - 1));
    return kExact + (e - 4) * kSubBuckets + sub;
}

std::int64_t Histogram::bucket_low(int bucket) {
    if (bucket < kExact) return bucket;
    const int e = (bucket - kExact) / kSubBuckets + 4;
    const int sub = (bucket - kExact) % kSubBuckets;
    return static_cast<std::int64_t>((std::uint64_t{1} << e) |
                                     (static_cast<std::uint64_t>(sub) << (e - kSubBits)));
}

std::int64_t Histogram::bucket_high(int bucket) {
    if (bucket < kExact) return bucket;
    const int e = (bucket - kExact) / kSubBuckets + 4;
    return bucket_low(bucket) + ((std::int64_t{1} << (e - kSubBits)) - 1);
}

void Histogram::add(std::int64_t value, std::int64_t count) {
    if (count <= 0) return;
    const int bucket = bucket_of(value);
    auto it =
        std::lower_bound(counts_.begin(), counts_.end(), std::make_pair(bucket, std::int64_t{0}));
    if (it != counts_.end() && it->first == bucket)
        it->second += count;
    else
        counts_.insert(it, {bucket, count});
    total_ += count;
}

void Histogram::merge(const Histogram& other) {
    if (other.counts_.empty()) return;
    if (counts_.empty()) {
        counts_ = other.counts_;
        total_ = other.total_;
        return;
    }
    std::vector<std::pair<int, std::int64_t>> merged;
    merged.reserve(counts_.size() + other.counts_.size());
    auto a = counts_.cbegin();
    auto b = other.counts_.cbegin();
    while (a != counts_.cend() || b != other.counts_.cend()) {
        if (b == other.counts_.end() || (a != counts_.end() && a->first < b->first)) {
            merged.push_back(*a++);
        } else if (a == counts_.end() || b->first < a->first) {
            merged.push_back(*b++);
        } else {
            merged.emplace_back(a->first, a->second + b->second);
            ++a;
            ++b;
        }
    }
    counts_ = std::move(merged);
    total_ += other.total_;
}

std::int64_t Histogram::quantile(double q) const {
    if (total_ == 0) return 0;
    // The rank of the value asked for, 1-based: the smallest with rank/total >= q.
    auto rank = static_cast<std::int64_t>(q * static_cast<double>(total_));
    if (static_cast<double>(rank) < q * static_cast<double>(total_)) ++rank;
    if (rank < 1) rank = 1;
    std::int64_t seen = 0;
    for (const auto& [bucket, n] : counts_) {
        seen += n;
        if (seen >= rank)
            return bucket_low(bucket) + (bucket_high(bucket) - bucket_low(bucket)) / 2;
    }
    return bucket_high(counts_.rbegin()->first);
}

std::string Histogram::encode() const {
    std::string out;
    for (const auto& [bucket, n] : counts_) {
        if (!out.empty()) out += ' ';
        out += std::to_string(bucket);
        out += ':';
        out += std::to_string(n);
    }
    return out;
}

std::optional<Histogram> Histogram::decode(std::string_view text) {
    Histogram h;
    std::size_t i = 0;
    int last = -1;
    while (i < text.size()) {
        int bucket = 0;
        std::int64_t n = 0;
        auto [p1, e1] = std::from_chars(text.data() + i, text.data() + text.size(), bucket);
        if (e1 != std::errc() || p1 == text.data() + text.size() || *p1 != ':') return std::nullopt;
        auto [p2, e2] = std::from_chars(p1 + 1, text.data() + text.size(), n);
        if (e2 != std::errc() || bucket <= last || bucket > kMaxBucket || n <= 0)
            return std::nullopt;
        h.counts_.emplace_back(bucket, n);
        if (__builtin_add_overflow(h.total_, n, &h.total_)) return std::nullopt;
        last = bucket;
        i = static_cast<std::size_t>(p2 - text.data());
        if (i < text.size()) {
            if (text[i] != ' ' || i + 1 == text.size()) return std::nullopt;
            ++i;
        }
    }
    return h;
}

}  // namespace notify::util
