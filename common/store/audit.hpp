// audit.hpp - the audit log: who did which administrative action, and when.
//
// Approvals and rejections, template changes, API keys created and revoked,
// changes to the user directory, unsubscribes and the changes of a provider's
// circuit breaker (the router's: "provider.open", ...) are each one row (table
// `audit`): the time, the actor (an API key's name, "local" for notifyctl over
// the ipc socket, the login name for notifyctl working on the store directly,
// "unsubscribe-link" for a recipient's one-click link, "router"), the action
// ("approve", "template.put", "apikey.create", ...), its target and a detail.
// The detail is a summary, never a request's body: the log is kept for good, so
// it holds no personal data (a user's email, phone, identities) and no secret.
// The functions below build it for notify-ingest and notifyctl alike.
// Read by `notifyctl audit` and GET /v1/audit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::store {

class Store;

struct AuditEntry {
    std::int64_t seq = 0;
    util::Millis at = 0;
    std::string actor;
    std::string action;
    std::string target;
    std::string detail;
};

// The fields a change set, by name only, sorted: "fields: email, name".
std::string fields_detail(std::vector<std::string> fields);
// A template variant and the version a change made: "'welcome' for channel
// 'email' in locale 'de' version 3"; a restore adds the version it restored.
std::string template_detail(const std::string& name, const std::string& channel,
                            const std::string& locale, std::int64_t version,
                            std::int64_t restored = 0);
// An import of users: "12 users".
std::string import_detail(std::int64_t imported);

// Appends one entry (its seq is assigned by the store).
Status record_audit(Store& store, const AuditEntry& entry);
// The same inside a transaction of the caller's: a failure throws StoreFailure.
void append_audit(Store& store, const AuditEntry& entry);
// Entries at or after `since`, oldest first, at most `limit`.
Expected<std::vector<AuditEntry>> read_audit(Store& store, util::Millis since, int limit);

}  // namespace notify::store
