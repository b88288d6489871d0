// partitions.hpp - which partition of the deliveries a delivery, a fan-out
// or a schedule belongs to (router.partitions; store/router_leases.hpp says
// who holds each one). A delivery goes by its user, else by its address
// (else, for channels that need none, by its notification), so that one
// router sees every delivery to a user and its gate counts them together
// (frequency caps, recipient limits); a delivery to a raw address goes by
// the address, even one that belongs to a user, whose caps then count it
// apart. A fan-out goes by its notification, a schedule by its name. The partition is the CRC-32
// (the IEEE polynomial, as zlib's and MySQL's CRC32()) of that key modulo the count: nothing is
// stored, so the count may change between runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"

namespace notify {

std::uint32_t crc32(std::string_view bytes);

// The partition of `key` among `count` (1 or more).
int partition_of_key(std::string_view key, int count);
// A delivery's: by its user, else its recipient, else its notification.
int partition_of(const Delivery& d, int count);

// The partitions a router serves, of `count`.
class PartitionSet {
  public:
    // Every one of `count`.
    static PartitionSet all(int count);
    // Those listed (each in [0, count)).
    PartitionSet(int count, const std::vector<int>& held);

    int count() const { return count_; }
    bool contains(int partition) const;
    bool holds_all() const { return held_ == count_; }
    int held() const { return held_; }
    // This set's share of `n` (a provider's rate limit or cap, counted over
    // every partition): n × held / count, rounded down, at least 1 (0 stays
    // 0: no limit).
    long share_of(long n) const;
    bool serves(const Delivery& d) const {
        return holds_all() || contains(partition_of(d, count_));
    }
    bool serves_key(std::string_view key) const {
        return holds_all() || contains(partition_of_key(key, count_));
    }
    // "0-3,6" (every one: "0-N").
    std::string describe() const;
    // The set describe() wrote, of `count`; nullopt when `text` is not one
    // (or names a partition out of range).
    static std::optional<PartitionSet> parse(std::string_view text, int count);
    // Adds those of `other`, of the same count.
    void add(const PartitionSet& other);
    bool operator==(const PartitionSet& other) const = default;

  private:
    void set(int partition);

    int count_;
    int held_ = 0;
    std::vector<bool> bits_;
};

}  // namespace notify
