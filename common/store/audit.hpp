// audit.hpp - the audit log: who did which administrative action, and when.
//
// Approvals and rejections, template changes, API keys created and revoked,
// changes to the user directory and unsubscribes are each one row (table
// `audit`): the time, the actor (an API key's name, "local" for notifyctl over
// the ipc socket, the login name for notifyctl working on the store directly,
// "unsubscribe-link" for a recipient's one-click link), the action
// ("approve", "template.put", "apikey.create", ...), its target and a detail.
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

// Appends one entry (its seq is assigned by the store).
Status record_audit(Store& store, const AuditEntry& entry);
// Entries at or after `since`, oldest first, at most `limit`.
Expected<std::vector<AuditEntry>> read_audit(Store& store, util::Millis since, int limit);

}  // namespace notify::store
