// delivery_rows.cpp - the inserts of deliveries and events shared by Store and
// FanoutStore. See delivery_rows.hpp.
#include "store/delivery_rows.hpp"

#include <memory>

#include "util/time.hpp"

namespace notify::store {

DeliveryRows::DeliveryRows(Db& db)
    : deliveries_(MultiRow::insert(
          db,
          "INSERT INTO deliveries (id, notification_id, channel, recipient, priority, "
          "state, attempts, created_at, updated_at, next_attempt_at, expires_at, "
          "last_error, user_id, locale)",
          "(?,?,?,?,?,?,0,?,?,?,?,?,?,?)")),
      // EventFacts' defaults are the columns' own.
      events_(MultiRow::insert(
          db, "INSERT INTO events (delivery_id, at, type, detail, provider, reason, size)",
          "(?,?,?,?,?,?,?)")) {}

void DeliveryRows::insert(const std::vector<Delivery*>& deliveries, bool with_last_error) {
    deliveries_.run(
        deliveries.size(),
        [&](Stmt& s, int p, size_t i) {
            const Delivery& d = *deliveries[i];
            s.bind(p, d.id)
                .bind(p + 1, d.notification_id)
                .bind(p + 2, d.channel)
                .bind(p + 3, d.recipient)
                .bind(p + 4, static_cast<int>(d.priority))
                .bind(p + 5, to_string(d.state))
                .bind(p + 6, d.created_at)
                .bind(p + 7, d.updated_at)
                .bind(p + 8, d.next_attempt_at)
                .bind(p + 9, d.expires_at)
                .bind(p + 10, with_last_error ? std::string_view(d.last_error) : std::string_view())
                .bind(p + 11, d.user_id)
                .bind(p + 12, d.locale);
        },
        [&](size_t i) {
            const Delivery& d = *deliveries[i];
            return d.id.size() + d.notification_id.size() + d.channel.size() + d.recipient.size() +
                   (with_last_error ? d.last_error.size() : 0) + d.user_id.size() +
                   d.locale.size() + 6 * 8;
        },
        // The pointers kept: the seqs may be known only at the commit.
        [rows = std::make_shared<const std::vector<Delivery*>>(deliveries)](
            size_t i, std::int64_t seq) { (*rows)[i]->seq = seq; });
}

void DeliveryRows::events(const std::vector<NewEvent>& events) {
    events_.run(
        events.size(),
        [&](Stmt& s, int p, size_t i) {
            const NewEvent& e = events[i];
            s.bind(p, e.id)
                .bind(p + 1, e.at)
                .bind(p + 2, e.type)
                .bind(p + 3, e.detail)
                .bind(p + 4, e.facts.provider)
                .bind(p + 5, e.facts.reason)
                .bind(p + 6, e.facts.size);
        },
        [&](size_t i) {
            const NewEvent& e = events[i];
            return e.id.size() + e.type.size() + e.detail.size() + e.facts.provider.size() +
                   e.facts.reason.size() + 2 * 8;
        });
}

void DeliveryRows::event(const std::string& id, Millis at, const std::string& type,
                         const std::string& detail, const EventFacts& facts) {
    events({NewEvent{id, at, type, detail, facts}});
}

std::string accepted_detail(const Delivery& d) {
    return d.state == DeliveryState::scheduled
               ? "send_at=" + util::format_rfc3339(d.next_attempt_at)
               : std::string();
}

}  // namespace notify::store
