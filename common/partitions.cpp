#include "partitions.hpp"

#include <algorithm>
#include <array>
#include <cassert>

namespace notify {

namespace {
// The table of the reflected polynomial 0xEDB88320, a byte at a time.
constexpr std::array<std::uint32_t, 256> crc_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr auto kCrcTable = crc_table();
}  // namespace

std::uint32_t crc32(std::string_view bytes) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : bytes) c = kCrcTable[(c ^ b) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

int partition_of_key(std::string_view key, int count) {
    return count <= 1 ? 0 : static_cast<int>(crc32(key) % static_cast<std::uint32_t>(count));
}

// The store computes the same in SQL (store/partition_sql.cpp): change both.
int partition_of(const Delivery& d, int count) {
    return partition_of_key(!d.user_id.empty()     ? d.user_id
                            : !d.recipient.empty() ? d.recipient
                                                   : d.notification_id,
                            count);
}

PartitionSet PartitionSet::all(int count) {
    count = std::max(1, count);
    std::vector<int> every;
    for (int p = 0; p < count; ++p) every.push_back(p);
    return PartitionSet(count, every);
}

PartitionSet::PartitionSet(int count, const std::vector<int>& held)
    : count_(count < 1 ? 1 : count), bits_(static_cast<std::size_t>(count_), false) {
    for (int p : held) {
        assert(p >= 0 && p < count_);
        set(p);
    }
}

void PartitionSet::set(int partition) {
    if (partition < 0 || partition >= count_ || bits_[static_cast<std::size_t>(partition)]) return;
    bits_[static_cast<std::size_t>(partition)] = true;
    ++held_;
}

bool PartitionSet::contains(int partition) const {
    return partition >= 0 && partition < count_ && bits_[static_cast<std::size_t>(partition)];
}

long PartitionSet::share_of(long n) const {
    if (n <= 0 || holds_all()) return n;
    return std::max(1L, n * held_ / count_);
}

std::string PartitionSet::describe() const {
    std::string out;
    for (int p = 0; p < count_;) {
        if (!contains(p)) {
            ++p;
            continue;
        }
        int last = p;
        while (last + 1 < count_ && contains(last + 1)) ++last;
        if (!out.empty()) out += ',';
        out += std::to_string(p);
        if (last > p) out += '-' + std::to_string(last);
        p = last + 1;
    }
    return out;
}

std::optional<PartitionSet> PartitionSet::parse(std::string_view text, int count) {
    if (count < 1) return std::nullopt;
    std::vector<int> held;
    auto number = [&](std::string_view digits) -> std::optional<int> {
        if (digits.empty() || digits.size() > 4) return std::nullopt;
        int n = 0;
        for (char c : digits) {
            if (c < '0' || c > '9') return std::nullopt;
            n = n * 10 + (c - '0');
        }
        return n < count ? std::optional<int>(n) : std::nullopt;
    };
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view range = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        const std::size_t dash = range.find('-');
        auto first = number(range.substr(0, dash));
        auto last = dash == std::string_view::npos ? first : number(range.substr(dash + 1));
        if (!first || !last || *last < *first) return std::nullopt;
        for (int p = *first; p <= *last; ++p) held.push_back(p);
    }
    return PartitionSet(count, held);
}

void PartitionSet::add(const PartitionSet& other) {
    for (int p = 0; p < count_; ++p)
        if (other.contains(p)) set(p);
}

}  // namespace notify
