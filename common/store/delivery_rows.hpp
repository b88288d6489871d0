// delivery_rows.hpp - writing rows of the `deliveries` and `events` tables, for
// the store's own files: Store::insert_batch writes the deliveries ingest
// accepts, FanoutStore::write_step those a fan-out step expands, and both
// record what happens to a delivery as events. Many rows go to a statement
// (multi_insert.hpp). Inside a store call only: failures throw StoreFailure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"
#include "store/db.hpp"
#include "store/multi_row.hpp"

namespace notify::store {

// What reports read of an event besides its type and time (store/rollup.hpp).
struct EventFacts {
    std::string_view provider;  // of the attempt
    std::string_view reason;    // of a failure, retry or suppression, short
    std::int64_t size = -1;     // bytes sent
};

// An event to append to the log of a delivery (or of a notification, by its id).
struct NewEvent {
    std::string_view id;
    Millis at = 0;
    std::string_view type;
    std::string detail;
    EventFacts facts;
};

class DeliveryRows {
  public:
    explicit DeliveryRows(Db& db);

    // Inserts the deliveries in order, with no attempts yet and each one's
    // last_error as its row's last error when `with_last_error` (else none),
    // and sets each one's seq (by the commit, on a connection that holds
    // writes: the deliveries must live until then).
    void insert(const std::vector<Delivery*>& deliveries, bool with_last_error);
    // Appends events, in order.
    void events(const std::vector<NewEvent>& events);
    // Appends one event.
    void event(const std::string& id, Millis at, const std::string& type, const std::string& detail,
               const EventFacts& facts = {});

  private:
    MultiRow deliveries_;
    MultiRow events_;
};

// The detail of a delivery's "accepted" event: "send_at=TIME" when it waits
// for its send time, else "".
std::string accepted_detail(const Delivery& d);

}  // namespace notify::store
