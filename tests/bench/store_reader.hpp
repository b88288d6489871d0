// store_reader.hpp - the bench's read-only look into a running stack's store,
// for what only the store records: when the router took a step for a delivery.
// The router stamps the events of a round with the time the round began, so a
// time read here can precede what the bench saw by up to one round.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite_db.hpp"

namespace notify::bench {

class StoreReader {
  public:
    explicit StoreReader(const std::string& path);
    ~StoreReader();
    StoreReader(const StoreReader&) = delete;
    StoreReader& operator=(const StoreReader&) = delete;

    bool ok() const { return db_ != nullptr; }
    // The first column of the first row of `sql`; 0 when there is none.
    std::int64_t number(const char* sql);
    // Lateness of each firing of a send_at, in ms, sorted.
    std::vector<std::int64_t> lateness();
    // When the first attempt of the first delivery of `notification_id` was
    // handed to a worker (ms since the epoch); nothing when it was not.
    std::optional<std::int64_t> dispatched_at(const std::string& notification_id);

  private:
    std::unique_ptr<store::SqliteDb> db_;
};

}  // namespace notify::bench
