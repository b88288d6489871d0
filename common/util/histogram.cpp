// histogram.cpp - log-linear histograms; see histogram.hpp.
#include "util/histogram.hpp"

#include <algorithm>
#include <cstdint>

namespace notify::util {

namespace {
constexpr int kExact = 16;      // values below have a bucket each
constexpr int kSubBuckets = 8;  // buckets per power of two above
constexpr int kSubBits = 3;
constexpr int kMaxBucket = kExact + (62 - 4) * kSubBuckets + kSubBuckets - 1;
static_assert(Histogram::kBuckets == kMaxBucket + 1);

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
    total_ += other.total_;
    // In place: count the buckets only `other` has, make room for them at the
    // end, then merge from the back (most merges add no bucket at all).
    std::size_t added = 0;
    for (auto a = counts_.cbegin(), b = other.counts_.cbegin(); b != other.counts_.cend();) {
        if (a == counts_.cend() || b->first < a->first) {
            ++added;
            ++b;
        } else {
            if (a->first == b->first) ++b;
            ++a;
        }
    }
    std::size_t a = counts_.size(), b = other.counts_.size();
    counts_.resize(a + added);
    for (std::size_t out = counts_.size(); b > 0;) {
        const auto& theirs = other.counts_[b - 1];
        if (a > 0 && counts_[a - 1].first > theirs.first) {
            counts_[--out] = counts_[--a];
        } else if (a > 0 && counts_[a - 1].first == theirs.first) {
            counts_[--out] = {theirs.first, counts_[--a].second + theirs.second};
            --b;
        } else {
            counts_[--out] = theirs;
            --b;
        }
    }
}

std::int64_t Histogram::quantile(double q) const {
    std::int64_t v = 0;
    quantiles(std::span<const double>(&q, 1), std::span<std::int64_t>(&v, 1));
    return v;
}

void Histogram::quantiles(std::span<const double> qs, std::span<std::int64_t> out) const {
    std::size_t i = 0;
    // The rank of the value asked for, 1-based: the smallest with rank/total >= q.
    auto rank_of = [&](double q) {
        auto rank = static_cast<std::int64_t>(q * static_cast<double>(total_));
        if (static_cast<double>(rank) < q * static_cast<double>(total_)) ++rank;
        return rank < 1 ? std::int64_t{1} : rank;
    };
    if (total_ > 0 && !qs.empty()) {
        std::int64_t seen = 0, next = rank_of(qs[0]);
        for (const auto& [bucket, n] : counts_) {
            seen += n;
            while (i < qs.size() && seen >= next) {
                out[i] = bucket_low(bucket) + (bucket_high(bucket) - bucket_low(bucket)) / 2;
                if (++i < qs.size()) next = rank_of(qs[i]);
            }
            if (i == qs.size()) return;
        }
    }
    for (; i < qs.size(); ++i) out[i] = total_ > 0 ? bucket_high(counts_.rbegin()->first) : 0;
}

void Histogram::clear() {
    counts_.clear();
    total_ = 0;
}

void Histogram::pack(std::string& out) const {
    put_varint(out, counts_.size());
    int last = -1;
    for (const auto& [bucket, n] : counts_) {
        put_varint(out, static_cast<std::uint64_t>(bucket - last));
        put_varint(out, static_cast<std::uint64_t>(n));
        last = bucket;
    }
}

bool Histogram::unpack(PackedReader& in) {
    clear();
    auto refuse = [&] {
        clear();
        return false;
    };
    const std::uint64_t n = in.varint();
    if (n > static_cast<std::uint64_t>(kMaxBucket) + 1) return refuse();
    std::int64_t bucket = -1;
    for (std::uint64_t i = 0; i < n && in.ok(); ++i) {
        const std::uint64_t step = in.varint();
        const std::uint64_t count = in.varint();
        if (step == 0 || step > static_cast<std::uint64_t>(kMaxBucket) + 1 || count == 0 ||
            count > static_cast<std::uint64_t>(INT64_MAX))
            return refuse();
        bucket += static_cast<std::int64_t>(step);
        if (bucket > kMaxBucket) return refuse();
        counts_.emplace_back(static_cast<int>(bucket), static_cast<std::int64_t>(count));
        if (__builtin_add_overflow(total_, static_cast<std::int64_t>(count), &total_))
            return refuse();
    }
    return in.ok() ? true : refuse();
}

void HistogramSum::take(Histogram& out) {
    out.clear();
    std::sort(used_.begin(), used_.end());
    out.counts_.reserve(used_.size());
    for (int bucket : used_) {
        std::int64_t& count = counts_[static_cast<std::size_t>(bucket)];
        out.counts_.emplace_back(bucket, count);
        out.total_ += count;
        count = 0;
    }
    used_.clear();
}

}  // namespace notify::util
