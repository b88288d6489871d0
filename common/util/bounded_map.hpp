// bounded_map.hpp - a map that holds at most `most` entries and, once full,
// forgets the oldest entry for each new one (first in, first out; replacing an
// entry's value keeps its place). Forgetting one at a time keeps every insert
// cheap: a cache that drops everything when full stalls its thread for as long
// as freeing all of it takes (tens of milliseconds at 50,000 entries).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

namespace notify::util {

template <typename Value, typename Key = std::string>
class BoundedMap {
  public:
    explicit BoundedMap(std::size_t most) : most_(most == 0 ? 1 : most) {}

    // The entry for `key`, or null.
    Value* find(const Key& key) {
        auto it = map_.find(key);
        return it == map_.end() ? nullptr : &it->second;
    }
    // Sets `key` to `value`; a new key forgets the oldest entry when full.
    Value& put(const Key& key, Value value) {
        if (auto it = map_.find(key); it != map_.end()) return it->second = std::move(value);
        if (map_.size() >= most_) {
            map_.erase(order_.front());
            order_.pop_front();
        }
        order_.push_back(key);
        return map_.emplace(key, std::move(value)).first->second;
    }
    std::size_t size() const { return map_.size(); }

  private:
    std::size_t most_;
    std::unordered_map<Key, Value> map_;
    std::deque<Key> order_;  // map_'s keys, oldest first
};

}  // namespace notify::util
