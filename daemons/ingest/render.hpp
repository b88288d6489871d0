// render.hpp - the JSON form of a stored notification, as GET /v1/notifications/{id}
// and the list route answer it. notify-ingest(8) documents this schema:
//
//   {"id","created_at","channel","to":[...],"subject","body","html"?,"data"?,
//    "template"?,"locale"?,"priority","send_at"?,"expires_at"?,"category"?,
//    "module"?,"idempotency_key"?,"source","api_key_id"?,"states":{"queued":1,...},
//    "deliveries":[{"id","channel","to","state","attempts","provider",
//                   "provider_message_id","last_error","created_at","updated_at",
//                   "next_attempt_at"?,"expires_at"?,"user_id"?,"locale"?}],
//    "fanout"?:{"state","total","expanded","decided_by","decided_at","reason"},
//    "events":[{"delivery_id","at","type","detail"}]}        (events: one only)
//
// Times are RFC 3339 UTC; "?" marks members left out when empty or unset.
// "fanout" is there for a send to users or groups, or one held for approval:
// state pending-approval, expanding, done, rejected or canceled; total recipients
// counted at acceptance; expanded deliveries written so far; who decided an
// approval, when, and a rejection's reason (null until then).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "store/store.hpp"

namespace notify::ingest {

nlohmann::json render_delivery(const Delivery& d);
// Appends the short form in 202 answers, {"channel","id","state","to"}, written
// directly (they go out thousands of times a second), its members in name order as
// the documents' dump writes them.
void append_delivery_brief(std::string& out, const Delivery& d);
nlohmann::json render_fanout(const store::Fanout& f);
nlohmann::json render_notification(const store::NotificationView& v, bool with_events);
nlohmann::json render_queue(const std::vector<store::QueueRow>& rows, Millis now);

}  // namespace notify::ingest
