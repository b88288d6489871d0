// delivery_rows.cpp - the inserts of deliveries and events shared by Store and
// FanoutStore. See delivery_rows.hpp.
#include "store/delivery_rows.hpp"

#include "util/time.hpp"

namespace notify::store {

DeliveryRows::DeliveryRows(Db& db)
    : db_(db),
      insert_delivery_(db,
                       "INSERT INTO deliveries (id, notification_id, channel, recipient, "
                       "priority, state, attempts, created_at, updated_at, next_attempt_at, "
                       "expires_at, last_error, user_id, locale) VALUES "
                       "(?,?,?,?,?,?,0,?,?,?,?,?,?,?)"),
      insert_event_(db, "INSERT INTO events (delivery_id, at, type, detail) VALUES (?,?,?,?)"),
      insert_counted_event_(
          db,
          "INSERT INTO events (delivery_id, at, type, detail, provider, reason, size) "
          "VALUES (?,?,?,?,?,?,?)") {}

std::int64_t DeliveryRows::insert(const Delivery& d, const std::string& last_error) {
    insert_delivery_.bind(1, d.id)
        .bind(2, d.notification_id)
        .bind(3, d.channel)
        .bind(4, d.recipient)
        .bind(5, static_cast<int>(d.priority))
        .bind(6, to_string(d.state))
        .bind(7, d.created_at)
        .bind(8, d.updated_at)
        .bind(9, d.next_attempt_at)
        .bind(10, d.expires_at)
        .bind(11, last_error)
        .bind(12, d.user_id)
        .bind(13, d.locale);
    insert_delivery_.run();
    return db_.last_insert_id();
}

void DeliveryRows::event(const std::string& id, Millis at, const std::string& type,
                         const std::string& detail, const EventFacts& facts) {
    if (facts.provider.empty() && facts.reason.empty() && facts.size < 0) {
        insert_event_.bind(1, id).bind(2, at).bind(3, type).bind(4, detail);
        insert_event_.run();
        return;
    }
    insert_counted_event_.bind(1, id)
        .bind(2, at)
        .bind(3, type)
        .bind(4, detail)
        .bind(5, facts.provider)
        .bind(6, facts.reason)
        .bind(7, facts.size);
    insert_counted_event_.run();
}

std::string accepted_detail(const Delivery& d) {
    return d.state == DeliveryState::scheduled
               ? "send_at=" + util::format_rfc3339(d.next_attempt_at)
               : std::string();
}

}  // namespace notify::store
