// delivery_rows.hpp - writing rows of the `deliveries` and `events` tables, for
// the store's own files: Store::insert_batch writes the deliveries ingest
// accepts, FanoutStore::write_step those a fan-out step expands, and both
// record what happens to a delivery as events. Inside a store call only:
// failures throw StoreFailure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model.hpp"
#include "store/db.hpp"

namespace notify::store {

// What reports read of an event besides its type and time (store/rollup.hpp).
struct EventFacts {
    std::string_view provider;  // of the attempt
    std::string_view reason;    // of a failure, retry or suppression, short
    std::int64_t size = -1;     // bytes sent
};

class DeliveryRows {
  public:
    explicit DeliveryRows(Db& db);

    // Inserts `d` with no attempts yet and `last_error` as its row's last error;
    // returns the delivery's seq.
    std::int64_t insert(const Delivery& d, const std::string& last_error);
    // Appends an event to the log of a delivery (or of a notification, by its id).
    void event(const std::string& id, Millis at, const std::string& type, const std::string& detail,
               const EventFacts& facts = {});

  private:
    Db& db_;
    Stmt insert_delivery_;
    Stmt insert_event_;
    Stmt insert_counted_event_;  // with EventFacts
};

// The detail of a delivery's "accepted" event: "send_at=TIME" when it waits
// for its send time, else "".
std::string accepted_detail(const Delivery& d);

}  // namespace notify::store
