// recipients.hpp - who a notification request's "to" names, and what that makes
// of the send. Raw addresses are checked by the channel's rules; "user:ID" and
// "group:NAME" are looked up in the directory (422 "unknown_recipient" when
// missing), one lookup per target, and every recipient is counted (a group by
// its members). A send naming a user or a group, or one that needs approval
// (a group that requires it, or more recipients than bulk.approval_threshold),
// becomes a fan-out that the router expands.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "config.hpp"
#include "model.hpp"
#include "store/directory_store.hpp"
#include "store/fanout.hpp"
#include "util/error.hpp"

namespace notify::accept {

// True when the item's "to" names a user or a group, so that a caller opens the
// directory only for requests that need it.
bool names_directory(const nlohmann::json& item);

// What the "to" list names, after the directory has been asked.
struct Recipients {
    bool directory = false;            // any user: or group: target
    std::int64_t total = 0;            // raw addresses + users + members of groups
    bool approval_required = false;    // a group requires it
    std::optional<store::User> first;  // the first user: target, for the template check
};

// Checks and counts every recipient of `n`; errors name `field` ("to", or
// "to[i]" for one of several). `directory` null: user: and group: targets are
// refused ("directory_unavailable").
Expected<Recipients> resolve_recipients(const Notification& n, const Config& config,
                                        store::DirectoryStore* directory, const std::string& field);

// How a send with these recipients is stored.
struct FanoutDecision {
    bool approval = false;  // it waits for an administrator
    bool fanout = false;    // the router makes its deliveries
};
FanoutDecision decide_fanout(const Recipients& recipients, const Config& config);

// The fan-out record of `n` (its id set), as it starts: pending approval or expanding.
store::Fanout fanout_for(const Notification& n, const Recipients& recipients, bool approval,
                         Millis now);

}  // namespace notify::accept
