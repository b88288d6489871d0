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
    // At most `most` entries (at least one).
    explicit BoundedMap(std::size_t most) : most_(most == 0 ? 1 : most) {}

    // The entry for `key`, or null; valid until the next put().
    Value* find(const Key& key) {
        auto it = map_.find(key);
        return it == map_.end() ? nullptr : &it->second;
    }
    bool contains(const Key& key) const { return map_.count(key) != 0; }
    // Sets `key` to `value`; a new key forgets the oldest entry when full.
    Value& put(Key key, Value value) {
        if (auto it = map_.find(key); it != map_.end()) return it->second = std::move(value);
        if (map_.size() >= most_) {
            map_.erase(map_.find(*order_.front()));
            order_.pop_front();
        }
        auto it = map_.emplace(std::move(key), std::move(value)).first;
        order_.push_back(&it->first);  // a node's key stays where it is
        return it->second;
    }
    std::size_t size() const { return map_.size(); }

  private:
    std::size_t most_;
    std::unordered_map<Key, Value> map_;
    std::deque<const Key*> order_;  // map_'s keys, oldest first
};

}  // namespace notify::util
