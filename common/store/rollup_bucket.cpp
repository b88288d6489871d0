// rollup_bucket.cpp - packed rollup rows; see rollup_bucket.hpp.
#include "store/rollup_bucket.hpp"

namespace notify::store {

namespace {

constexpr std::uint64_t kHasValue = 1, kHasReason = 2;
constexpr std::uint64_t kHasFigures = 1, kHasPeak = 2;
// What a row may hold, far above any real traffic, so that adding up rows
// cannot overflow: counts to 2^48, sums to 2^60 either way.
constexpr std::int64_t kMaxCount = std::int64_t{1} << 48, kMaxSum = std::int64_t{1} << 60;

bool within(std::int64_t v, std::int64_t low, std::int64_t high) {
    return v >= low && v <= high;
}

bool has_figures(const Figures& f) {
    return f.size_sum != 0 || f.latency_sum != 0 || !f.size.empty() || !f.latency.empty();
}

// Orders cells as buckets keep them.
int compare(const Cell& a, const Cell& b) {
    if (int c = a.value.compare(b.value)) return c;
    if (a.status != b.status) return a.status < b.status ? -1 : 1;
    return a.reason.compare(b.reason);
}

}  // namespace

bool BucketReader::next(Cell& c) {
    if (!ok_ || in_.at_end()) return false;
    const std::uint64_t head = in_.varint();
    c.new_value = (head & kHasValue) != 0;
    if (c.new_value) value_ = in_.bytes();
    c.value = value_;
    c.status = static_cast<std::size_t>(head >> 2);
    c.reason = head & kHasReason ? in_.bytes() : std::string_view();
    const std::uint64_t flags = in_.varint();
    c.figures.count = static_cast<std::int64_t>(in_.varint());
    if (flags & kHasFigures) {
        c.figures.size_sum = in_.signed_varint();
        if (!c.figures.size.unpack(in_)) return ok_ = false;
        c.figures.latency_sum = in_.signed_varint();
        if (!c.figures.latency.unpack(in_)) return ok_ = false;
    } else {
        c.figures.size_sum = c.figures.latency_sum = 0;
        c.figures.size.clear();
        c.figures.latency.clear();
    }
    if (flags & kHasPeak) {
        c.peak.per_second = static_cast<std::int64_t>(in_.varint());
        c.peak.at = in_.signed_varint();
    } else {
        c.peak = Peak{};
    }
    const Figures& f = c.figures;
    if (!in_.ok() || c.status >= report_statuses().size() || !within(f.count, 0, kMaxCount) ||
        !within(f.size_sum, -kMaxSum, kMaxSum) || !within(f.latency_sum, -kMaxSum, kMaxSum) ||
        f.size.count() > kMaxCount || f.latency.count() > kMaxCount ||
        !within(c.peak.per_second, 0, kMaxCount))
        return ok_ = false;
    return true;
}

void BucketWriter::add(const Cell& c) {
    const bool new_value = out_.empty() || c.value != value_;
    if (new_value) value_ = c.value;
    std::uint64_t head = static_cast<std::uint64_t>(c.status) << 2;
    if (new_value) head |= kHasValue;
    if (!c.reason.empty()) head |= kHasReason;
    util::put_varint(out_, head);
    if (new_value) util::put_bytes(out_, c.value);
    if (!c.reason.empty()) util::put_bytes(out_, c.reason);
    const bool figures = has_figures(c.figures), peak = c.peak.per_second > 0;
    util::put_varint(out_, (figures ? kHasFigures : 0) | (peak ? kHasPeak : 0));
    util::put_varint(out_, static_cast<std::uint64_t>(c.figures.count));
    if (figures) {
        util::put_signed(out_, c.figures.size_sum);
        c.figures.size.pack(out_);
        util::put_signed(out_, c.figures.latency_sum);
        c.figures.latency.pack(out_);
    }
    if (peak) {
        util::put_varint(out_, static_cast<std::uint64_t>(c.peak.per_second));
        util::put_signed(out_, c.peak.at);
    }
}

std::optional<std::string> merge_buckets(std::string_view a, std::string_view b) {
    BucketReader ra(a), rb(b);
    Cell ca, cb;
    bool has_a = ra.next(ca), has_b = rb.next(cb);
    BucketWriter out;
    while (has_a || has_b) {
        const int order = !has_a ? 1 : !has_b ? -1 : compare(ca, cb);
        if (order < 0) {
            out.add(ca);
            has_a = ra.next(ca);
        } else if (order > 0) {
            out.add(cb);
            has_b = rb.next(cb);
        } else {
            ca.figures.merge(cb.figures);
            ca.peak.merge(cb.peak);
            out.add(ca);
            has_a = ra.next(ca);
            has_b = rb.next(cb);
        }
    }
    if (!ra.ok() || !rb.ok()) return std::nullopt;
    return out.data();
}

}  // namespace notify::store
