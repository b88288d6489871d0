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

bool BucketReader::head(Cell& c) {
    if (!ok_ || in_.at_end()) return false;
    const std::uint64_t head = in_.varint();
    c.new_value = (head & kHasValue) != 0;
    if (c.new_value) value_ = in_.bytes();
    c.value = value_;
    c.status = static_cast<std::size_t>(head >> 2);
    c.reason = head & kHasReason ? in_.bytes() : std::string_view();
    if (!in_.ok() || c.status >= report_statuses().size()) return ok_ = false;
    return true;
}

namespace {

// Reads a cell's body into `c`, checking what it holds.
bool read_body(util::PackedReader& in, Cell& c) {
    const std::uint64_t flags = in.varint();
    c.figures.count = static_cast<std::int64_t>(in.varint());
    if (flags & kHasFigures) {
        c.figures.size_sum = in.signed_varint();
        if (!c.figures.size.unpack(in)) return false;
        c.figures.latency_sum = in.signed_varint();
        if (!c.figures.latency.unpack(in)) return false;
    } else {
        c.figures.size_sum = c.figures.latency_sum = 0;
        c.figures.size.clear();
        c.figures.latency.clear();
    }
    if (flags & kHasPeak) {
        c.peak.per_second = static_cast<std::int64_t>(in.varint());
        c.peak.at = in.signed_varint();
    } else {
        c.peak = Peak{};
    }
    const Figures& f = c.figures;
    return in.ok() && within(f.count, 0, kMaxCount) && within(f.size_sum, -kMaxSum, kMaxSum) &&
           within(f.latency_sum, -kMaxSum, kMaxSum) && f.size.count() <= kMaxCount &&
           f.latency.count() <= kMaxCount && within(c.peak.per_second, 0, kMaxCount);
}

// Steps over a packed histogram, checking it as Histogram::unpack does (its
// buckets in order and in range, none empty) and its total as read_body().
bool skip_histogram(util::PackedReader& in) {
    const std::uint64_t buckets = in.varint();
    if (buckets > static_cast<std::uint64_t>(util::Histogram::kBuckets)) return false;
    std::uint64_t bucket = 0, total = 0;
    for (std::uint64_t i = 0; i < buckets && in.ok(); ++i) {
        const std::uint64_t step = in.varint(), count = in.varint();
        if (step > static_cast<std::uint64_t>(util::Histogram::kBuckets)) return false;
        bucket += step;  // from -1: the first step is the bucket plus one
        total += count;
        if (step == 0 || bucket > static_cast<std::uint64_t>(util::Histogram::kBuckets) ||
            count == 0 || count > static_cast<std::uint64_t>(kMaxCount) ||
            total > static_cast<std::uint64_t>(kMaxCount))
            return false;
    }
    return in.ok();
}

// Steps over a cell's body, checking what it holds as read_body() does but
// keeping none of it.
void skip_body(util::PackedReader& in) {
    const std::uint64_t flags = in.varint();
    bool fine = in.varint() <= static_cast<std::uint64_t>(kMaxCount);  // count
    if (flags & kHasFigures)
        for (int histogram = 0; histogram < 2 && fine; ++histogram)
            fine = within(in.signed_varint(), -kMaxSum, kMaxSum) && skip_histogram(in);
    if (fine && (flags & kHasPeak)) {
        fine = in.varint() <= static_cast<std::uint64_t>(kMaxCount);
        in.signed_varint();
    }
    if (!fine) in.fail();
}

}  // namespace

bool BucketReader::next(Cell& c) {
    if (!head(c)) return false;
    if (!read_body(in_, c)) return ok_ = false;
    return true;
}

bool BucketReader::next_raw(Cell& c, std::string_view& body) {
    if (!head(c)) return false;
    const char* start = in_.position();
    skip_body(in_);
    if (!in_.ok()) return ok_ = false;
    body = std::string_view(start, static_cast<std::size_t>(in_.position() - start));
    return true;
}

bool read_body(std::string_view body, Cell& c) {
    util::PackedReader in(body);
    return read_body(in, c) && in.at_end();
}

void BucketWriter::head(std::string_view value, std::size_t status, std::string_view reason) {
    const bool new_value = out_.empty() || value != value_;
    if (new_value) value_ = value;
    std::uint64_t head = static_cast<std::uint64_t>(status) << 2;
    if (new_value) head |= kHasValue;
    if (!reason.empty()) head |= kHasReason;
    util::put_varint(out_, head);
    if (new_value) util::put_bytes(out_, value);
    if (!reason.empty()) util::put_bytes(out_, reason);
}

void BucketWriter::add(std::string_view value, std::size_t status, std::string_view reason,
                       const Figures& figures, const Peak& peak) {
    head(value, status, reason);
    const bool has = has_figures(figures), has_peak = peak.per_second > 0;
    util::put_varint(out_, (has ? kHasFigures : 0) | (has_peak ? kHasPeak : 0));
    util::put_varint(out_, static_cast<std::uint64_t>(figures.count));
    if (has) {
        util::put_signed(out_, figures.size_sum);
        figures.size.pack(out_);
        util::put_signed(out_, figures.latency_sum);
        figures.latency.pack(out_);
    }
    if (has_peak) {
        util::put_varint(out_, static_cast<std::uint64_t>(peak.per_second));
        util::put_signed(out_, peak.at);
    }
}

void BucketWriter::add_raw(std::string_view value, std::size_t status, std::string_view reason,
                           std::string_view body) {
    head(value, status, reason);
    out_ += body;
}

std::optional<std::string> merge_buckets(std::string_view a, std::string_view b) {
    // The cells only `a` has are copied as they are packed: a stored row
    // grows all day, and most of it is not in the batch added to it.
    BucketReader ra(a), rb(b);
    Cell ca, cb;
    std::string_view body;
    bool has_a = ra.next_raw(ca, body), has_b = rb.next(cb);
    BucketWriter out;
    while (has_a || has_b) {
        const int order = !has_a ? 1 : !has_b ? -1 : compare(ca, cb);
        if (order < 0) {
            out.add_raw(ca.value, ca.status, ca.reason, body);
            has_a = ra.next_raw(ca, body);
        } else if (order > 0) {
            out.add(cb);
            has_b = rb.next(cb);
        } else {
            if (!read_body(body, ca)) return std::nullopt;
            ca.figures.merge(cb.figures);
            ca.peak.merge(cb.peak);
            out.add(ca);
            has_a = ra.next_raw(ca, body);
            has_b = rb.next(cb);
        }
    }
    if (!ra.ok() || !rb.ok()) return std::nullopt;
    return out.data();
}

}  // namespace notify::store
