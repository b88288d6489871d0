// schedule_request.hpp - a schedule as POST /v1/schedules takes it, checked
// field by field before anything is stored, and what each of its firings
// makes. notify-ingest checks a request at the door (422 naming the field) and
// the router, which owns schedules, checks it again before it stores it.
//
// Fields: name (1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or a
// digit); exactly one of cron (five fields or a macro, in timezone), every (a
// duration of at least 1s, from the time the schedule is stored) and at (one
// firing); timezone (an IANA zone; default the service's); until (no firing
// after it); misfire (once, all or skip; default once); paused (a boolean);
// notification (required: what each firing sends, the fields of POST
// /v1/notifications without send_at, expires_at and idempotency_key, which the
// firing sets; expires_in counts from each firing).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "accept/request.hpp"
#include "schedule/spec.hpp"
#include "store/schedule_store.hpp"
#include "util/error.hpp"

namespace notify::accept {

struct ScheduleRequest {
    store::ScheduleRow row;  // as stored: created and updated at ctx.now, next_at its first firing
    schedule::Spec spec;
};

// The schedule `body` describes, its notification checked as a send at
// ctx.now would be (recipients in the directory, its template rendered).
// `path_name` is the name the request's path gives (PUT), "" when the body
// names it; a body that names another is refused.
Expected<ScheduleRequest> read_schedule(const nlohmann::json& body, const RequestContext& ctx,
                                        const std::string& path_name);

// When a stored schedule fires; an error for a row this version cannot read.
Expected<schedule::Spec> spec_of(const store::ScheduleRow& row);

// The notification that the firing of `row` at `at` makes when handled at
// ctx.now, its expiry counted from `at`. An error says why none is made:
// "expired" (it would have expired by now), or what refuses it now (a user
// since deleted, a template since changed).
Expected<store::Accepted> firing_notification(const store::ScheduleRow& row, Millis at,
                                              const RequestContext& ctx);

}  // namespace notify::accept
