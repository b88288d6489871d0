// model.hpp - the domain: notifications, their deliveries (one per recipient and
// channel) and the events in each delivery's activity log.
//
// Lifecycle of one delivery (see ARCHITECTURE.md):
//   queued -> in-flight -> sent | deferred (retry later) | failed
//   sent -> delivered -> failed, or sent -> failed, when the provider's
//   receipts say so (a bounce)
//   scheduled -> queued at send_at;  queued|deferred -> expired | canceled
//   queued|scheduled -> suppressed (no address for the channel, opt-out,
//   unsubscribe, frequency cap, duplicate) before any attempt
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace notify {

using util::Millis;

enum class Priority { high = 0, medium = 1, low = 2 };
constexpr int kPriorityCount = 3;

const char* to_string(Priority p);
std::optional<Priority> parse_priority(std::string_view text);

enum class DeliveryState {
    scheduled,  // waits for send_at
    queued,     // ready, waits for a worker
    in_flight,  // handed to a worker under a lease
    deferred,   // a retryable failure; waits for its next attempt
    sent,
    delivered,  // the provider's receipt says it reached the recipient
    failed,
    expired,
    suppressed,
    canceled,
};

const char* to_string(DeliveryState s);
std::optional<DeliveryState> parse_delivery_state(std::string_view text);
bool is_final(DeliveryState s);
std::vector<std::string> delivery_state_names();

struct Notification {
    std::string id;
    Millis created_at = 0;
    std::string channel;
    std::vector<std::string> to;
    std::string subject;
    std::string body;     // plain text
    std::string html;     // optional HTML alternative (email)
    std::string payload;  // a webhook's request body rendered from its template, or ""
    std::string template_name;
    std::string data_json;  // the "data" object as JSON text, or empty
    std::string locale;
    Priority priority = Priority::medium;
    Millis send_at = 0;     // 0: now
    Millis expires_at = 0;  // 0: never (the router's max lifetime still applies)
    std::string category;
    std::string module;
    // Bulk: sent as such, or to calendar.bulk_min recipients or more. At low
    // priority it waits for working hours to end (calendar.hold_bulk).
    bool bulk = false;
    std::string idempotency_key;
    std::string source;      // who sent it: the API key's name, or "local" (notifyctl)
    std::string api_key_id;  // the id of that key ("local", "http" without a key): its owner
};

struct Delivery {
    std::int64_t seq = 0;  // store order; the router reads new work by it
    std::string id;        // "<notification-id>.<n>"
    std::string notification_id;
    std::string channel;
    std::string recipient;  // "" for channels that need none (webhook)
    std::string user_id;    // the directory user it was made for, or "" for a raw address
    std::string locale;     // the user's locale when it differs from the notification's
    Priority priority = Priority::medium;
    DeliveryState state = DeliveryState::queued;
    int attempts = 0;
    Millis created_at = 0;
    Millis updated_at = 0;
    Millis next_attempt_at = 0;  // for scheduled and deferred
    Millis expires_at = 0;
    std::string provider;             // the provider of the last attempt
    std::string provider_message_id;  // set when sent
    std::string last_error;           // the provider's reason of the last failure
};

struct Event {
    std::int64_t seq = 0;
    std::string delivery_id;
    Millis at = 0;
    std::string type;    // accepted, scheduled, dispatched, sent, retry, failed, expired, ...
    std::string detail;  // free text: provider, code, message
};

// The notification id that a delivery id belongs to.
std::string notification_id_of(std::string_view delivery_id);
std::string delivery_id_for(std::string_view notification_id, size_t index);

}  // namespace notify
